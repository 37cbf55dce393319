//! Integration tests: each test starts the real server on a free port with its own SQLite file and
//! talks HTTP to it.

mod accounts;
mod audit;
mod auth;
mod authorization;
mod broker;
mod browser;
mod delivery;
mod errors;
mod events;
mod export;
mod helpers;
mod kill;
mod list;
mod nodes;
mod openapi;
mod process;
mod proxy;
mod simulator;
mod start_up;
mod tokens;
