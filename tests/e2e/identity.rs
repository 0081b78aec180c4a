//! The identity and address-book journey of the platform issue, on both
//! backends: accounts, invitations, sign-in, members, addresses, tenant
//! isolation, single-use links, throttling, sign-out and disabling.

use e2e_tests::{Portal, PortalBackend, address_body};
use serde_json::json;
use shared::domain::UserStatus;
use shared::repo::link_tokens::{LinkPurpose, LinkToken};
use shared::security::link_tokens;

const GROUP_PASSWORD: &str = "Convoyage-Lyon-Paris-2026";
const MEMBER_PASSWORD: &str = "Porte-Voitures-Bleu-42";

async fn journey(backend: PortalBackend) {
    let portal = Portal::start(backend).await;
    let manager = portal.manager().await;

    // Two customer accounts.
    let a = manager
        .post(
            "/api/accounts",
            json!({"name": "Garage Dupont", "siret": "73282932000074"}),
        )
        .await;
    a.expect(201);
    let account_a = a.str("id");
    let b = manager
        .post("/api/accounts", json!({"name": "Autos Martin"}))
        .await;
    b.expect(201);
    let account_b = b.str("id");
    let listed = manager.get("/api/accounts").await;
    listed.expect(200);
    assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(2));

    // A group user in each, invited by e-mail.
    for (account, email) in [
        (&account_a, "chef@dupont.fr"),
        (&account_b, "chef@martin.fr"),
    ] {
        let invited = manager
            .post(
                &format!("/api/accounts/{account}/users"),
                json!({"email": email, "name": "Chef d'atelier", "role": "group"}),
            )
            .await;
        invited.expect(201);
        assert_eq!(invited.body["status"], "invited");
        let mails = portal.mails_to(email).await;
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0]["subject"], "Votre accès au portail client STVA");
        assert!(
            mails[0]["html"]
                .as_str()
                .unwrap()
                .contains("/invitation?token=")
        );
    }
    let duplicate = manager
        .post(
            &format!("/api/accounts/{account_a}/users"),
            json!({"email": "CHEF@dupont.fr", "name": "Doublon", "role": "member"}),
        )
        .await;
    duplicate.expect_problem(409, "email_taken");

    // The group user of A accepts and signs in.
    let invitation = portal.link_token("chef@dupont.fr", "/invitation").await;
    let accepted = portal
        .anonymous()
        .post(
            "/api/auth/invitations/accept",
            json!({"token": invitation, "name": "Paul Dupont", "password": GROUP_PASSWORD}),
        )
        .await;
    accepted.expect(200);
    assert_eq!(accepted.body["user"]["role"], "group");
    assert_eq!(accepted.body["user"]["account_name"], "Garage Dupont");
    let cookie = accepted.headers["set-cookie"].to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );

    // The link works once.
    let reused = portal
        .anonymous()
        .post(
            "/api/auth/invitations/accept",
            json!({"token": invitation, "name": "Paul", "password": GROUP_PASSWORD}),
        )
        .await;
    reused.expect_problem(410, "link_used");
    let bogus = portal
        .anonymous()
        .post(
            "/api/auth/invitations/accept",
            json!({"token": "not-a-real-token", "name": "X", "password": GROUP_PASSWORD}),
        )
        .await;
    bogus.expect_problem(400, "link_invalid");

    let group_a = portal.sign_in("chef@dupont.fr", GROUP_PASSWORD).await;
    let me = group_a.get("/api/me").await;
    me.expect(200);
    assert_eq!(me.body["account_id"], account_a.as_str());
    assert_eq!(me.body["name"], "Paul Dupont");

    // The group user creates a member, who accepts and signs in.
    let member = group_a
        .post(
            &format!("/api/accounts/{account_a}/users"),
            json!({"email": "vendeur@dupont.fr", "name": "Vendeur", "role": "member"}),
        )
        .await;
    member.expect(201);
    let not_group = group_a
        .post(
            &format!("/api/accounts/{account_a}/users"),
            json!({"email": "autre@dupont.fr", "name": "Autre", "role": "group"}),
        )
        .await;
    not_group.expect_problem(403, "forbidden");
    let member_link = portal.link_token("vendeur@dupont.fr", "/invitation").await;
    let weak = portal
        .anonymous()
        .post(
            "/api/auth/invitations/accept",
            json!({"token": member_link, "name": "Léa Vendeuse", "password": "azertyuiop123"}),
        )
        .await;
    weak.expect_problem(422, "validation_failed");
    assert_eq!(weak.body["errors"][0]["field"], "password");
    portal
        .anonymous()
        .post(
            "/api/auth/invitations/accept",
            json!({"token": member_link, "name": "Léa Vendeuse", "password": MEMBER_PASSWORD}),
        )
        .await
        .expect(200);
    let member_a = portal.sign_in("vendeur@dupont.fr", MEMBER_PASSWORD).await;

    // A member may not create users.
    member_a
        .post(
            &format!("/api/accounts/{account_a}/users"),
            json!({"email": "x@dupont.fr", "name": "X", "role": "member"}),
        )
        .await
        .expect_problem(403, "forbidden");

    // The member manages the address book.
    let created = member_a
        .post("/api/addresses", address_body("Dépôt Lyon"))
        .await;
    created.expect(201);
    let address_id = created.str("id");
    assert_eq!(created.body["country"], "FR");
    assert_eq!(created.body["account_id"], account_a.as_str());
    member_a
        .post("/api/addresses", address_body("Agence Villeurbanne"))
        .await
        .expect(201);
    let mut changed = address_body("Dépôt Lyon Sud");
    changed["postal_code"] = json!("69007");
    let updated = member_a
        .put(&format!("/api/addresses/{address_id}"), changed)
        .await;
    updated.expect(200);
    assert_eq!(updated.body["label"], "Dépôt Lyon Sud");
    let book = member_a.get("/api/addresses").await;
    book.expect(200);
    assert_eq!(book.body["items"].as_array().map(Vec::len), Some(2));
    let seen_by_group = group_a.get(&format!("/api/addresses/{address_id}")).await;
    seen_by_group.expect(200);
    assert_eq!(seen_by_group.body["postal_code"], "69007");

    // B's group user sees nothing of A.
    let link_b = portal.link_token("chef@martin.fr", "/invitation").await;
    portal
        .anonymous()
        .post(
            "/api/auth/invitations/accept",
            json!({"token": link_b, "name": "Marie Martin", "password": GROUP_PASSWORD}),
        )
        .await
        .expect(200);
    let group_b = portal.sign_in("chef@martin.fr", GROUP_PASSWORD).await;
    group_b
        .get(&format!("/api/addresses/{address_id}"))
        .await
        .expect_problem(404, "not_found");
    group_b
        .get(&format!(
            "/api/addresses/{address_id}?account_id={account_a}"
        ))
        .await
        .expect_problem(404, "not_found");
    group_b
        .delete(&format!("/api/addresses/{address_id}"))
        .await
        .expect_problem(404, "not_found");
    group_b
        .get(&format!("/api/accounts/{account_a}/users"))
        .await
        .expect_problem(404, "not_found");
    let own_book = group_b.get("/api/addresses").await;
    own_book.expect(200);
    assert_eq!(own_book.body["items"].as_array().map(Vec::len), Some(0));
    member_a
        .get(&format!("/api/addresses/{address_id}"))
        .await
        .expect(200);

    // The manager works on A's book explicitly.
    let managed = manager
        .get(&format!("/api/addresses?account_id={account_a}"))
        .await;
    managed.expect(200);
    assert_eq!(managed.body["items"].as_array().map(Vec::len), Some(2));
    manager
        .get("/api/addresses")
        .await
        .expect_problem(422, "validation_failed");

    // An expired invitation fails clearly.
    let late = manager
        .post(
            &format!("/api/accounts/{account_b}/users"),
            json!({"email": "tard@martin.fr", "name": "Retardataire", "role": "member"}),
        )
        .await;
    late.expect(201);
    let services = &portal.server.services;
    let (secret, hash) = link_tokens::generate().unwrap();
    let past = time::OffsetDateTime::now_utc() - time::Duration::hours(73);
    services
        .link_tokens()
        .create(&LinkToken {
            hash,
            purpose: LinkPurpose::Invitation,
            user_id: late.str("id"),
            created_at: past,
            expires_at: past + time::Duration::hours(72),
            used: false,
        })
        .await
        .unwrap();
    portal
        .anonymous()
        .post(
            "/api/auth/invitations/accept",
            json!({"token": secret, "name": "Retardataire", "password": MEMBER_PASSWORD}),
        )
        .await
        .expect_problem(410, "link_expired");

    // Five wrong passwords in a row lock the address, even for the right one.
    for _ in 0..5 {
        portal
            .anonymous()
            .post(
                "/api/auth/login",
                json!({"email": "vendeur@dupont.fr", "password": "mauvais mot de passe"}),
            )
            .await
            .expect_problem(401, "invalid_credentials");
    }
    let throttled = portal
        .anonymous()
        .post(
            "/api/auth/login",
            json!({"email": "vendeur@dupont.fr", "password": MEMBER_PASSWORD}),
        )
        .await;
    throttled.expect_problem(429, "too_many_attempts");
    assert!(throttled.headers.contains_key("retry-after"));
    // Other users of the same office are not affected.
    portal.sign_in("chef@dupont.fr", GROUP_PASSWORD).await;

    // Disabling a user ends its sessions at once.
    let member_id = member.str("id");
    group_a
        .delete(&format!("/api/accounts/{account_a}/users/{member_id}"))
        .await
        .expect(204);
    member_a
        .get("/api/me")
        .await
        .expect_problem(401, "invalid_session");
    let stored = services.users().get(&member_id).await.unwrap().unwrap();
    assert_eq!(stored.status, UserStatus::Disabled);

    // Signing out ends the session.
    group_b
        .post("/api/auth/logout", json!({}))
        .await
        .expect(204);
    group_b
        .get("/api/me")
        .await
        .expect_problem(401, "invalid_session");

    // A forgotten password is reset through a single-use link.
    portal
        .anonymous()
        .post(
            "/api/auth/password-reset",
            json!({"email": "chef@martin.fr"}),
        )
        .await
        .expect(202);
    portal
        .anonymous()
        .post(
            "/api/auth/password-reset",
            json!({"email": "inconnu@nulle-part.fr"}),
        )
        .await
        .expect(202);
    let reset = portal
        .link_token("chef@martin.fr", "/reinitialiser-mot-de-passe")
        .await;
    portal
        .anonymous()
        .post(
            "/api/auth/password-reset/confirm",
            json!({"token": reset, "password": "Nouveau-Mot-De-Passe-2026"}),
        )
        .await
        .expect(204);
    portal
        .anonymous()
        .post(
            "/api/auth/password-reset/confirm",
            json!({"token": reset, "password": "Encore-Un-Autre-2026"}),
        )
        .await
        .expect_problem(410, "link_used");
    portal
        .sign_in("chef@martin.fr", "Nouveau-Mot-De-Passe-2026")
        .await;

    portal.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journey_on_the_embedded_backend() {
    journey(PortalBackend::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journey_on_aws_with_the_local_emulator() {
    journey(PortalBackend::Aws).await;
}
