//! Enums whose variants travel as names: on the wire (serde), in query strings and the CLI (`FromStr`),
//! and in the database (Diesel, with the `diesel` feature). [`wire_enum!`] writes each name once.
//!
//! Parsing ignores ASCII case and surrounding spaces, so scripts may write `connected`; JSON bodies keep
//! serde's exact names. A name the database holds that no variant has is a broken invariant, not input:
//! reading it fails the query with a deserialization error (the API answers 500 and logs the cause),
//! and no code guesses a variant or skips the row.

use std::fmt;

/// A name that is none of an enum's variants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    /// What the enum names, such as "status".
    pub what: &'static str,
    pub given: String,
    pub expected: &'static [&'static str],
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown {} '{}'; expected one of {}",
            self.what,
            self.given,
            self.expected.join(", ")
        )
    }
}

impl std::error::Error for UnknownName {}

impl From<UnknownName> for String {
    fn from(err: UnknownName) -> String {
        err.to_string()
    }
}

/// Declares an enum whose variants are written as the names given, once: serde renames, `ALL`, `NAMES`,
/// `as_str`, `Display`, `FromStr` (ASCII case-insensitive) and, with the `diesel` feature, storage as
/// `Text`.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident as $what:tt {
            $( $(#[$vmeta:meta])* $variant:ident = $text:tt, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[cfg_attr(
            feature = "diesel",
            derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
            diesel(sql_type = diesel::sql_types::Text)
        )]
        $vis enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant, )+
        }

        impl $name {
            /// How many variants there are.
            pub const COUNT: usize = [$($text),+].len();
            /// Every variant, in declaration order.
            pub const ALL: [$name; $name::COUNT] = [$($name::$variant),+];
            /// The name of each variant, in declaration order.
            pub const NAMES: [&'static str; $name::COUNT] = [$($text),+];

            /// The variant named exactly `name`, as this code writes it (to the database, say).
            pub fn from_name(name: &str) -> Option<Self> {
                $name::ALL.into_iter().find(|value| value.as_str() == name)
            }

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// Compares with a name exactly as written on the wire.
        impl PartialEq<&str> for $name {
            fn eq(&self, name: &&str) -> bool {
                self.as_str() == *name
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::names::UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let given = s.trim();
                $name::ALL
                    .into_iter()
                    .find(|value| value.as_str().eq_ignore_ascii_case(given))
                    .ok_or_else(|| $crate::names::UnknownName {
                        what: $what,
                        given: s.to_owned(),
                        expected: &$name::NAMES,
                    })
            }
        }

        #[cfg(feature = "diesel")]
        impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, DB>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, DB>>::to_sql(
                    self.as_str(),
                    out,
                )
            }
        }

        #[cfg(feature = "diesel")]
        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = <String as diesel::deserialize::FromSql<
                    diesel::sql_types::Text,
                    DB,
                >>::from_sql(bytes)?;
                // Exact, unlike `from_str`: the database holds only names this code wrote.
                $name::from_name(&text).ok_or_else(|| {
                    format!("the database holds the unknown {} {text:?}", $what).into()
                })
            }
        }
    };
}

pub(crate) use wire_enum;
