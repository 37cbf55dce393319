pub mod audit;
pub mod login;
pub mod sessions;
pub mod settings;
