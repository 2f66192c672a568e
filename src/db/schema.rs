//! Diesel table definitions, kept by hand in step with `migrations/`.
// @generated-style file: one `table!` per table, columns in migration order.

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    reference_state (id) {
        id -> Bool,
        version -> Int8,
        seed_version -> Int4,
    }
}

diesel::table! {
    units (id) {
        id -> Int4,
        code -> Text,
        name_vi -> Text,
        name_en -> Text,
        email -> Nullable<Text>,
        is_default -> Bool,
        active -> Bool,
        sort -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    contacts (id) {
        id -> Int4,
        code -> Text,
        kind -> Text,
        person_name -> Nullable<Text>,
        title_vi -> Text,
        title_en -> Text,
        phones -> Array<Text>,
        email -> Nullable<Text>,
        needs_verification -> Bool,
        active -> Bool,
        sort -> Int4,
        updated_at -> Timestamptz,
        user_id -> Nullable<Int4>,
    }
}

diesel::table! {
    fields (code) {
        code -> Text,
        name_vi -> Text,
        name_en -> Text,
        keywords -> Text,
        active -> Bool,
        sort -> Int4,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    content_categories (code) {
        code -> Text,
        name_vi -> Text,
        name_en -> Text,
        implies_kien_nghi -> Bool,
        active -> Bool,
        sort -> Int4,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    routing_rules (id) {
        id -> Int4,
        position -> Int4,
        name -> Text,
        match_categories -> Array<Text>,
        match_fields -> Array<Text>,
        unit_id -> Int4,
        is_default -> Bool,
        active -> Bool,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    routing_rule_contacts (rule_id, contact_id) {
        rule_id -> Int4,
        contact_id -> Int4,
        recipient -> Text,
    }
}

diesel::table! {
    calendar_days (day) {
        day -> Date,
        kind -> Text,
        name -> Text,
        status -> Text,
        note -> Nullable<Text>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    search_synonyms (id) {
        id -> Int4,
        terms -> Array<Text>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    reason_templates (id) {
        id -> Int4,
        code -> Text,
        purpose -> Text,
        text_vi -> Text,
        text_en -> Text,
        active -> Bool,
        sort -> Int4,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    users (id) {
        id -> Int4,
        email -> Text,
        name -> Text,
        password_hash -> Text,
        roles -> Array<Text>,
        unit_id -> Nullable<Int4>,
        active -> Bool,
        lang -> Text,
        created_at -> Timestamptz,
        password_changed_at -> Timestamptz,
        deactivated_at -> Nullable<Timestamptz>,
        digest_daily -> Bool,
        digest_weekly -> Bool,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Nullable<Int4>,
        data -> Jsonb,
        expires_at -> Timestamptz,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    tickets (id) {
        id -> Int8,
        public_id -> Text,
        code -> Text,
        access_token -> Text,
        idempotency_key -> Nullable<Text>,
        content_hash -> Nullable<Binary>,
        status -> Text,
        status_before_info -> Nullable<Text>,
        channel -> Text,
        external_ref -> Nullable<Text>,
        external_ref_date -> Nullable<Date>,
        entered_by -> Nullable<Int4>,
        submitter_kind -> Text,
        full_name -> Nullable<Text>,
        organization -> Nullable<Text>,
        representative -> Nullable<Text>,
        address -> Text,
        commune -> Nullable<Text>,
        phone -> Text,
        email -> Nullable<Text>,
        kind -> Text,
        content_category -> Text,
        field_code -> Text,
        procedure_name -> Nullable<Text>,
        dossier_code -> Nullable<Text>,
        subject_agency -> Nullable<Text>,
        title -> Text,
        content -> Text,
        proposal -> Nullable<Text>,
        lang -> Text,
        consent_at -> Timestamptz,
        privacy_notice_version -> Text,
        publish_consent -> Bool,
        publish_consent_at -> Nullable<Timestamptz>,
        urgency -> Nullable<Text>,
        unit_id -> Int4,
        routing_rule_id -> Nullable<Int4>,
        assignee_id -> Nullable<Int4>,
        received_at -> Timestamptz,
        accept_due -> Date,
        forward_due -> Date,
        reply_due -> Date,
        needs_info_due -> Nullable<Date>,
        paused_days -> Int4,
        accepted_at -> Nullable<Timestamptz>,
        answered_at -> Nullable<Timestamptz>,
        closed_at -> Nullable<Timestamptz>,
        last_public_note_at -> Nullable<Timestamptz>,
        duplicate_of -> Nullable<Int8>,
        suspected_spam -> Bool,
        spam_reasons -> Array<Text>,
        confidential -> Bool,
        search_text -> Text,
        retention_until -> Date,
        anonymized_at -> Nullable<Timestamptz>,
        updated_at -> Timestamptz,
        created_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    ticket_events (id) {
        id -> Int8,
        ticket_id -> Int8,
        at -> Timestamptz,
        actor_kind -> Text,
        actor_id -> Nullable<Int4>,
        event -> Text,
        from_status -> Nullable<Text>,
        to_status -> Nullable<Text>,
        public -> Bool,
        body -> Nullable<Text>,
        data -> Jsonb,
    }
}

diesel::table! {
    attachments (id) {
        id -> Int8,
        ticket_id -> Int8,
        event_id -> Nullable<Int8>,
        reply_id -> Nullable<Int8>,
        origin -> Text,
        filename -> Text,
        content_type -> Text,
        size_bytes -> Int4,
        sha256 -> Binary,
        data -> Binary,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    upload_stash (id) {
        id -> Int8,
        form_key -> Text,
        filename -> Text,
        content_type -> Text,
        size_bytes -> Int4,
        sha256 -> Binary,
        data -> Binary,
        created_at -> Timestamptz,
        owner -> Nullable<Binary>,
    }
}

diesel::table! {
    replies (id) {
        id -> Int8,
        ticket_id -> Int8,
        state -> Text,
        body -> Text,
        number_symbol -> Nullable<Text>,
        reply_date -> Nullable<Date>,
        signer -> Nullable<Text>,
        drafted_by -> Nullable<Int4>,
        decided_by -> Nullable<Int4>,
        return_reason -> Nullable<Text>,
        created_at -> Timestamptz,
        decided_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    public_answers (id) {
        id -> Int8,
        public_id -> Text,
        ticket_id -> Int8,
        field_code -> Text,
        title -> Text,
        question -> Text,
        answer -> Text,
        answered_on -> Date,
        search_text -> Text,
        published_at -> Nullable<Timestamptz>,
        published_by -> Nullable<Int4>,
        unpublished_at -> Nullable<Timestamptz>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    ratings (reply_id) {
        ticket_id -> Int8,
        rating -> Text,
        comment -> Nullable<Text>,
        unit_id -> Int4,
        field_code -> Text,
        at -> Timestamptz,
        reply_id -> Int8,
    }
}

diesel::table! {
    ticket_counters (unit_id, field_code, status, month, shard) {
        unit_id -> Int4,
        field_code -> Text,
        status -> Text,
        month -> Date,
        shard -> Int2,
        n -> Int8,
    }
}

diesel::table! {
    outbox (id) {
        id -> Int8,
        ticket_id -> Nullable<Int8>,
        kind -> Text,
        to_addrs -> Array<Text>,
        cc_addrs -> Array<Text>,
        lang -> Text,
        subject -> Nullable<Text>,
        body_text -> Nullable<Text>,
        body_html -> Nullable<Text>,
        message_id -> Text,
        in_reply_to -> Nullable<Text>,
        thread_refs -> Nullable<Text>,
        attachment_ids -> Array<Int8>,
        created_at -> Timestamptz,
        next_attempt_at -> Timestamptz,
        attempts -> Int4,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamptz>,
        failed_at -> Nullable<Timestamptz>,
        delivered_to -> Array<Text>,
        list_unsubscribe -> Nullable<Text>,
        bounced_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    inbound_mail (id) {
        id -> Int8,
        received_at -> Timestamptz,
        source -> Text,
        message_key -> Text,
        raw -> Binary,
        size -> Int4,
        state -> Text,
        outcome -> Nullable<Text>,
        ticket_id -> Nullable<Int8>,
        event_id -> Nullable<Int8>,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        last_error -> Nullable<Text>,
        processed_at -> Nullable<Timestamptz>,
        sender_hash -> Nullable<Binary>,
    }
}

diesel::table! {
    intake_items (id) {
        id -> Int8,
        inbound_id -> Int8,
        reply_ids -> Array<Int8>,
        received_at -> Timestamptz,
        sender_email -> Text,
        sender_name -> Nullable<Text>,
        subject -> Text,
        body -> Text,
        found_phone -> Nullable<Text>,
        state -> Text,
        ticket_id -> Nullable<Int8>,
        decided_by -> Nullable<Int4>,
        decided_at -> Nullable<Timestamptz>,
        ack_outbox_id -> Nullable<Int8>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    outbox_refusals (outbox_id, address) {
        outbox_id -> Int8,
        address -> Text,
        reply -> Text,
        refused_at -> Timestamptz,
    }
}

diesel::table! {
    login_slots (subject) {
        subject -> Binary,
        next_at -> Timestamptz,
    }
}

diesel::table! {
    rate_limits (bucket, window_start) {
        bucket -> Binary,
        window_start -> Timestamptz,
        hits -> Int4,
    }
}

diesel::table! {
    rate_limit_salts (day) {
        day -> Date,
        salt -> Binary,
    }
}

diesel::table! {
    personal_data_views (id) {
        id -> Int8,
        user_id -> Int4,
        ticket_id -> Int8,
        at -> Timestamptz,
        purpose -> Text,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Int8,
        user_id -> Nullable<Int4>,
        at -> Timestamptz,
        entity -> Text,
        entity_id -> Text,
        action -> Text,
        before -> Nullable<Jsonb>,
        after -> Nullable<Jsonb>,
    }
}

diesel::table! {
    privacy_requests (id) {
        id -> Int8,
        kind -> Text,
        name -> Text,
        contact -> Text,
        body -> Text,
        created_at -> Timestamptz,
        due_on -> Date,
        handled_at -> Nullable<Timestamptz>,
        handled_by -> Nullable<Int4>,
        assigned_to -> Nullable<Int4>,
        assigned_at -> Nullable<Timestamptz>,
        answer -> Nullable<Text>,
    }
}

diesel::table! {
    visit_days (day) {
        day -> Date,
        views -> Int8,
        salt -> Binary,
    }
}

diesel::table! {
    visitors_online (visitor) {
        visitor -> Binary,
        last_seen -> Timestamptz,
    }
}

diesel::table! {
    job_leases (name) {
        name -> Text,
        leased_by -> Nullable<Text>,
        leased_until -> Timestamptz,
        last_run_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    role_grants (id) {
        id -> Int8,
        user_id -> Int4,
        roles -> Array<Text>,
        requested_by -> Int4,
        requested_at -> Timestamptz,
        decided_by -> Nullable<Int4>,
        decided_at -> Nullable<Timestamptz>,
        approved -> Nullable<Bool>,
    }
}

diesel::table! {
    reminders_sent (id) {
        id -> Int8,
        ticket_id -> Nullable<Int8>,
        privacy_request_id -> Nullable<Int8>,
        deadline -> Text,
        kind -> Text,
        due_on -> Date,
        sent_at -> Timestamptz,
    }
}

diesel::joinable!(tickets -> units (unit_id));
diesel::joinable!(inbound_mail -> tickets (ticket_id));
diesel::joinable!(ticket_events -> tickets (ticket_id));
diesel::joinable!(attachments -> tickets (ticket_id));
diesel::joinable!(routing_rules -> units (unit_id));
diesel::joinable!(routing_rule_contacts -> routing_rules (rule_id));
diesel::joinable!(routing_rule_contacts -> contacts (contact_id));
diesel::joinable!(users -> units (unit_id));
diesel::joinable!(ratings -> replies (reply_id));
diesel::joinable!(outbox_refusals -> outbox (outbox_id));
diesel::joinable!(intake_items -> inbound_mail (inbound_id));

diesel::allow_tables_to_appear_in_same_query!(
    settings,
    reference_state,
    units,
    contacts,
    fields,
    content_categories,
    routing_rules,
    routing_rule_contacts,
    calendar_days,
    reason_templates,
    search_synonyms,
    users,
    sessions,
    tickets,
    ticket_events,
    attachments,
    upload_stash,
    replies,
    public_answers,
    ratings,
    ticket_counters,
    outbox,
    outbox_refusals,
    login_slots,
    rate_limits,
    personal_data_views,
    audit_log,
    privacy_requests,
    role_grants,
    visit_days,
    visitors_online,
    job_leases,
    inbound_mail,
    intake_items,
    reminders_sent,
);

diesel::table! {
    second_factors (user_id) {
        user_id -> Int4,
        secret -> Bytea,
        confirmed_at -> Nullable<Timestamptz>,
        last_step -> Nullable<Int8>,
        recovery_salt -> Bytea,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    recovery_codes (user_id, code_hash) {
        user_id -> Int4,
        code_hash -> Bytea,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    digests_sent (user_id, kind, period_start) {
        user_id -> Int4,
        kind -> Text,
        period_start -> Date,
        sent_at -> Timestamptz,
        outbox_id -> Nullable<Int8>,
    }
}

diesel::table! {
    reply_templates (id) {
        id -> Int4,
        code -> Text,
        purpose -> Text,
        name_vi -> Text,
        name_en -> Text,
        body_vi -> Text,
        body_en -> Text,
        field_code -> Nullable<Text>,
        active -> Bool,
        sort -> Int4,
        updated_at -> Timestamptz,
    }
}
