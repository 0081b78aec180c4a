//! One conformance suite per port, run against the embedded adapters and
//! against the AWS adapters on the local emulator (moto), so the two cannot
//! drift. One test binary for all of them keeps the link time down.

mod blobs;
mod mailer;
mod support;
mod table;

/// Instantiates every case of the table suite for one adapter factory.
macro_rules! table_suite {
    ($make:path) => {
        table_suite!(@cases $make;
            round_trips_an_item,
            missing_item_is_none,
            put_replaces_the_whole_item,
            not_exists_condition_guards_creation,
            exists_and_equals_conditions,
            delete_honours_conditions,
            query_filters_and_orders_sort_keys,
            query_pages_with_cursors,
            index_queries,
            transactions_are_all_or_nothing,
            put_many_and_get_many,
            concurrent_creates_have_one_winner,
            concurrent_versioned_updates_lose_nothing,
            increments_create_count_and_keep_the_rest,
            concurrent_increments_are_all_distinct,
            stored_pages_match_query_pages,
        );
    };
    (@cases $make:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let fixture = $make().await;
                crate::table::$case(fixture.table.clone()).await;
            }
        )*
    };
}

mod embedded_table {
    table_suite!(crate::support::embedded_table);

    #[tokio::test]
    async fn survives_a_restart() {
        crate::support::embedded_table_survives_reopen().await;
    }
}

mod dynamodb_table {
    table_suite!(crate::support::dynamodb_table);
}

/// Instantiates every case of the blob store suite for one adapter factory.
macro_rules! blob_suite {
    ($make:path) => {
        blob_suite!(@cases $make;
            presigned_upload_then_download,
            put_get_overwrite_delete,
            missing_objects_are_none,
            read_prefix_of_short_and_empty_objects,
            invalid_keys_are_refused,
        );

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn replaced_objects_keep_their_versions() {
            let fixture = $make().await;
            crate::blobs::replaced_objects_keep_their_versions(
                fixture.store.clone(),
                async |key: &str| fixture.previous_versions(key).await,
            )
            .await;
        }
    };
    (@cases $make:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let fixture = $make().await;
                crate::blobs::$case(fixture.store.clone()).await;
            }
        )*
    };
}

mod embedded_blobs {
    blob_suite!(crate::support::embedded_blobs);

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn refuses_tampered_urls() {
        let fixture = crate::support::embedded_blobs().await;
        crate::blobs::local_refuses_tampered_urls(fixture.local()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn refuses_wrong_content_type_and_length() {
        let fixture = crate::support::embedded_blobs().await;
        crate::blobs::local_refuses_wrong_content_type_and_length(fixture.local()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn refuses_expired_urls() {
        let fixture = crate::support::embedded_blobs().await;
        crate::blobs::local_refuses_expired_urls(fixture.local(), fixture.clock.clone()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn files_stay_under_the_root() {
        let fixture = crate::support::embedded_blobs().await;
        crate::blobs::local_files_stay_under_the_root(fixture.local()).await;
    }
}

mod s3_blobs {
    blob_suite!(crate::support::s3_blobs);
}

/// Instantiates every case of the mailer suite for one adapter factory.
macro_rules! mailer_suite {
    ($make:path) => {
        mailer_suite!(@read_back $make;
            sends_a_french_message_with_a_pdf,
            sends_a_message_without_attachments,
            concurrent_sends_all_arrive,
        );

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn refuses_invalid_recipients() {
            let fixture = $make().await;
            crate::mailer::refuses_invalid_recipients(fixture.mailer.clone()).await;
        }
    };
    (@read_back $make:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let fixture = $make().await;
                crate::mailer::$case(
                    fixture.mailer.clone(),
                    async |id: &str| fixture.read_back(id).await,
                )
                .await;
            }
        )*
    };
}

mod outbox_mailer {
    mailer_suite!(crate::support::outbox_mailer);

    #[tokio::test]
    async fn lists_newest_first() {
        let fixture = crate::support::outbox_mailer().await;
        crate::mailer::outbox_lists_newest_first(fixture.outbox()).await;
    }
}

mod ses_mailer {
    mailer_suite!(crate::support::ses_mailer);

    #[tokio::test]
    async fn unverified_sender_is_rejected() {
        crate::support::ses_rejects_an_unverified_sender().await;
    }
}
