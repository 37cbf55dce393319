//! `cargo xtask modules`: the import graph of the api crate's modules, and any cycle in it.
//!
//! A module depends on another when its code names a path into it: `crate::a::b`, `super::x`,
//! `self::y` or `child::z` (for a `mod child;` it declares), brace groups included. Comments and
//! `#[cfg(test)] mod tests` are left out. A cycle is a strongly connected set of two or more modules.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::{Result, root};

type Module = Vec<String>;

/// Prints the graph's size and fails when the api modules import each other in a circle. `src` is the
/// api's source folder; this workspace's when `None`.
pub fn check(src: Option<&Path>) -> Result {
    let src = src.map_or_else(|| root().join("api/src"), Path::to_owned);
    let graph = graph(&src)?;
    let edges: usize = graph.values().map(BTreeSet::len).sum();
    let cycles = cycles(&graph);
    println!(
        "api: {} modules, {edges} imports between them, {} cycles",
        graph.len(),
        cycles.len()
    );
    for cycle in &cycles {
        println!("  cycle: {}", cycle.join(", "));
    }
    if cycles.is_empty() {
        Ok(())
    } else {
        Err(format!("{} import cycles among the api modules", cycles.len()).into())
    }
}

fn name(module: &Module) -> String {
    if module.is_empty() {
        "crate".to_owned()
    } else {
        module.join("::")
    }
}

/// Each module of the crate under `src`, with the modules it names.
fn graph(src: &Path) -> Result<BTreeMap<Module, BTreeSet<Module>>> {
    let mut files = BTreeMap::new();
    collect(src, src, &mut files)?;
    let mut graph = BTreeMap::new();
    for (module, text) in &files {
        let code = code_of(text);
        let children = declared_modules(&code);
        let mut names = BTreeSet::new();
        for path in paths(&code) {
            let (base, rest): (Module, &[String]) = match path[0].as_str() {
                "crate" => (Vec::new(), &path[1..]),
                "self" => (module.clone(), &path[1..]),
                "super" => {
                    let mut base = module.clone();
                    let mut rest = &path[..];
                    while rest.first().is_some_and(|s| s == "super") {
                        base.pop();
                        rest = &rest[1..];
                    }
                    (base, rest)
                }
                first if children.contains(first) => (module.clone(), &path[..]),
                _ => continue,
            };
            let mut target = base;
            target.extend(rest.iter().cloned());
            while !target.is_empty() && !files.contains_key(&target) {
                target.pop();
            }
            // The crate root only declares modules; naming it is no dependency.
            if !target.is_empty() && target != *module {
                names.insert(target);
            }
        }
        graph.insert(module.clone(), names);
    }
    Ok(graph)
}

fn collect(src: &Path, dir: &Path, files: &mut BTreeMap<Module, String>) -> Result {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(src, &path, files)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(src)?.with_extension("");
            let mut module: Module = relative
                .iter()
                .map(|part| part.to_string_lossy().into_owned())
                .collect();
            if module.last().is_some_and(|last| last == "mod") {
                module.pop();
            }
            if module == ["lib"] || module == ["main"] {
                module.clear();
            }
            files.insert(module, std::fs::read_to_string(&path)?);
        }
    }
    Ok(())
}

/// The text without comments and without the unit tests at the end of a file.
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The names of the `mod name;` declarations.
fn declared_modules(code: &str) -> BTreeSet<String> {
    code.lines()
        .filter_map(|line| {
            let line = line.trim();
            let rest = line.strip_prefix("pub ").unwrap_or(line);
            let rest = match rest.strip_prefix("pub(crate) ") {
                Some(rest) => rest,
                None => rest,
            };
            rest.strip_prefix("mod ")?
                .strip_suffix(';')
                .map(|name| name.trim().to_owned())
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    PathSep,
    Open,
    Close,
    Comma,
    Other,
}

fn tokens(code: &str) -> Vec<Token> {
    let chars: Vec<char> = code.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push(Token::Ident(chars[start..i].iter().collect()));
            continue;
        }
        if c == '"' {
            // Skip string literals, so that text such as "a::b" names nothing.
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            tokens.push(Token::Other);
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            tokens.push(Token::PathSep);
            i += 1;
        } else if c == '{' {
            tokens.push(Token::Open);
        } else if c == '}' {
            tokens.push(Token::Close);
        } else if c == ',' {
            tokens.push(Token::Comma);
        } else if !c.is_whitespace() {
            tokens.push(Token::Other);
        }
        i += 1;
    }
    tokens
}

/// Every path of two or more segments, with `a::{b, c::d}` read as `a::b` and `a::c::d`.
fn paths(code: &str) -> Vec<Module> {
    let tokens = tokens(code);
    let mut found = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let starts_path = matches!(tokens[i], Token::Ident(_))
            && tokens.get(i + 1) == Some(&Token::PathSep)
            && (i == 0 || tokens[i - 1] != Token::PathSep);
        if starts_path {
            i = path_at(&tokens, i, &[], &mut found);
        } else {
            i += 1;
        }
    }
    found.retain(|path| path.len() >= 2);
    found
}

/// Reads the path starting at `i` below `prefix` into `found`; returns the index after it.
fn path_at(tokens: &[Token], mut i: usize, prefix: &[String], found: &mut Vec<Module>) -> usize {
    let mut path = prefix.to_vec();
    loop {
        match tokens.get(i) {
            Some(Token::Ident(name)) => {
                path.push(name.clone());
                i += 1;
            }
            Some(Token::Open) => {
                i += 1;
                while i < tokens.len() && tokens[i] != Token::Close {
                    if tokens[i] == Token::Comma {
                        i += 1;
                    } else {
                        i = path_at(tokens, i, &path, found);
                    }
                }
                return i + 1;
            }
            _ => break,
        }
        if tokens.get(i) == Some(&Token::PathSep) {
            i += 1;
        } else {
            break;
        }
    }
    found.push(path);
    // A group item such as `x as y` ends at the next comma or brace.
    while i < tokens.len()
        && !matches!(tokens[i], Token::Comma | Token::Close)
        && !prefix.is_empty()
    {
        i += 1;
    }
    i
}

/// The strongly connected sets of two or more modules (Tarjan's algorithm).
fn cycles(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        graph: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<&'a Module, usize>,
        low: BTreeMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        on_stack: BTreeSet<&'a Module>,
        found: Vec<Vec<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, module: &'a Module) {
            let at = self.index.len();
            self.index.insert(module, at);
            self.low.insert(module, at);
            self.stack.push(module);
            self.on_stack.insert(module);
            for next in self.graph.get(module).into_iter().flatten() {
                let Some((next, _)) = self.graph.get_key_value(next) else {
                    continue;
                };
                if !self.index.contains_key(next) {
                    self.visit(next);
                    let low = self.low[module].min(self.low[next]);
                    self.low.insert(module, low);
                } else if self.on_stack.contains(next) {
                    let low = self.low[module].min(self.index[next]);
                    self.low.insert(module, low);
                }
            }
            if self.low[module] == self.index[module] {
                let mut set = Vec::new();
                while let Some(top) = self.stack.pop() {
                    self.on_stack.remove(top);
                    set.push(name(top));
                    if top == module {
                        break;
                    }
                }
                if set.len() > 1 {
                    set.sort();
                    self.found.push(set);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for module in graph.keys() {
        if !walk.index.contains_key(module) {
            walk.visit(module);
        }
    }
    walk.found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brace_groups_are_read_as_paths() {
        let found = paths("use crate::db::{self, with_db, sessions::find};\nlet x = super::now();");
        let text: Vec<String> = found.iter().map(|p| p.join("::")).collect();
        assert_eq!(
            text,
            [
                "crate::db::self",
                "crate::db::with_db",
                "crate::db::sessions::find",
                "super::now"
            ]
        );
    }

    #[test]
    fn a_cycle_is_found_and_a_chain_is_not() {
        let module = |name: &str| vec![name.to_owned()];
        let mut graph = BTreeMap::new();
        graph.insert(module("a"), BTreeSet::from([module("b")]));
        graph.insert(module("b"), BTreeSet::from([module("c")]));
        graph.insert(module("c"), BTreeSet::new());
        assert!(cycles(&graph).is_empty());
        graph.insert(module("c"), BTreeSet::from([module("a")]));
        assert_eq!(cycles(&graph), [["a", "b", "c"]]);
    }
}
