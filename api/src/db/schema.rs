// The tables of migrations/; kept by hand in the shape `diesel print-schema` writes.

diesel::table! {
    users (id) {
        id -> BigInt,
        name -> Text,
        email -> Text,
        name_folded -> Text,
        email_folded -> Text,
    }
}

diesel::table! {
    apps (id) {
        id -> BigInt,
        name -> Text,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        user_id -> BigInt,
        app_id -> BigInt,
        name_key -> Text,
        email_key -> Text,
        app_key -> Text,
        start_time -> BigInt,
        end_time -> Nullable<BigInt>,
        ended_duration -> Nullable<BigInt>,
        status -> Text,
    }
}

diesel::table! {
    session_counts (status) {
        status -> Text,
        sessions -> BigInt,
    }
}

diesel::table! {
    user_session_counts (user_id, status) {
        user_id -> BigInt,
        status -> Text,
        sessions -> BigInt,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(sessions -> apps (app_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    apps,
    sessions,
    session_counts,
    user_session_counts
);
