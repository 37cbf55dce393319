// The tables of migrations/; kept by hand in the shape `diesel print-schema` writes.

diesel::table! {
    login_failures (key) {
        key -> Text,
        failures -> Integer,
        last_at -> BigInt,
    }
}

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
        killed_by -> Nullable<Text>,
        broker_session_id -> Nullable<Text>,
        host -> Nullable<Text>,
        last_heartbeat -> Nullable<BigInt>,
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

diesel::table! {
    accounts (id) {
        id -> BigInt,
        username -> Text,
        password_hash -> Text,
        role -> Text,
        disabled -> Bool,
        created_at -> BigInt,
        password_changed_at -> BigInt,
    }
}

diesel::table! {
    console_sessions (secret_hash) {
        secret_hash -> Text,
        account_id -> BigInt,
        csrf_token -> Text,
        created_at -> BigInt,
        last_seen_at -> BigInt,
        expires_at -> BigInt,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Text,
        name -> Text,
        secret_hash -> Text,
        scopes -> Text,
        created_by -> Text,
        created_at -> BigInt,
        expires_at -> Nullable<BigInt>,
        last_used_at -> Nullable<BigInt>,
        revoked_at -> Nullable<BigInt>,
        owner_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> BigInt,
        actor_kind -> Text,
        actor -> Text,
        address -> Nullable<Text>,
        action -> Text,
        outcome -> Text,
        details -> Text,
        count -> Integer,
        group_key -> Nullable<Text>,
    }
}

diesel::table! {
    kill_deliveries (session_id) {
        session_id -> BigInt,
        idempotency_key -> Text,
        state -> Text,
        attempts -> Integer,
        next_attempt_at -> BigInt,
        last_error -> Nullable<Text>,
        created_at -> BigInt,
        delivered_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    session_events (id) {
        id -> BigInt,
        at -> BigInt,
        session_id -> BigInt,
        kind -> Text,
        position -> Nullable<BigInt>,
    }
}

diesel::table! {
    prune_lease (id) {
        id -> BigInt,
        holder -> Nullable<Text>,
        expires_at -> BigInt,
        audit_before -> Nullable<BigInt>,
        sessions -> BigInt,
        events -> BigInt,
        deliveries -> BigInt,
        audit_entries -> BigInt,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(kill_deliveries -> sessions (session_id));
diesel::joinable!(console_sessions -> accounts (account_id));
diesel::joinable!(sessions -> apps (app_id));

diesel::allow_tables_to_appear_in_same_query!(
    login_failures,
    users,
    apps,
    sessions,
    session_counts,
    user_session_counts,
    accounts,
    console_sessions,
    api_tokens,
    audit_log,
    kill_deliveries,
    session_events,
    prune_lease
);
