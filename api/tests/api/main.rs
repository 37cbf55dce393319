//! Integration tests: each test starts the real server on a free port with its own database and talks
//! HTTP to it. The database is a SQLite file, or a new PostgreSQL database when `SESSIONS_TEST_POSTGRES`
//! names a cluster (`cargo xtask test` runs the suite both ways).

mod accounts;
mod audit;
mod auth;
mod authorization;
mod backup;
mod broker;
mod browser;
mod completions;
mod crash;
mod delivery;
mod deploy;
mod errors;
mod events;
mod export;
mod export_limits;
mod helpers;
mod in_process;
mod kill;
mod limits;
mod list;
mod logs;
mod metrics;
mod nodes;
mod openapi;
mod outage;
mod process;
mod proxy;
mod quick_page;
mod readiness;
mod refusals_across_nodes;
mod retention;
mod shutdown;
mod sign_in_failures;
mod simulator;
mod start_up;
mod tls;
mod tokens;
mod usage;
