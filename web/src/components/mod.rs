pub mod bulk_actions;
pub mod export_dialog;
pub mod filter_bar;
pub mod kill_dialog;
pub mod message;
pub mod pager;
pub mod sessions_table;
pub mod status_badge;
