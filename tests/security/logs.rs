//! No secret, token or password in the logs: a whole scenario (sign-in,
//! failed sign-in, invitation, acceptance, password reset, a stock
//! connection with an API key, a sync, an order) runs with the portal's
//! crates logging at `trace`, then the captured lines are searched for
//! every secret the scenario handled.

use e2e_tests::{Portal, PortalBackend, validated_order};
use serde_json::json;

const GROUP_PASSWORD: &str = "Plateau-Porte-Voitures-2026";
const WRONG_PASSWORD: &str = "Mauvais-Mot-De-Passe-Essaye";
const NEW_PASSWORD: &str = "Camion-Neuf-Lyon-Marseille-7";
const API_KEY: &str = "rvo-live-7f3a9c2e51d84b6f";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_scenario_logs_no_secret() {
    let logs = crate::capture::logs();
    let portal = Portal::start(PortalBackend::Embedded).await;
    let manager_password = portal
        .server
        .bootstrap
        .password
        .clone()
        .expect("bootstrap password");
    let manager = portal.manager().await;

    let account = manager
        .post("/api/accounts", json!({"name": "Garage des Secrets"}))
        .await;
    account.expect(201);
    let account_id = account.str("id");
    manager
        .post(
            &format!("/api/accounts/{account_id}/users"),
            json!({"email": "chef@secrets.fr", "name": "Chef", "role": "group"}),
        )
        .await
        .expect(201);
    let invitation = portal.link_token("chef@secrets.fr", "/invitation").await;
    let accepted = portal
        .anonymous()
        .post(
            "/api/auth/invitations/accept",
            json!({"token": invitation, "name": "Chef d'atelier", "password": GROUP_PASSWORD}),
        )
        .await;
    accepted.expect(200);
    let accepted_token = accepted.str("token");
    portal
        .anonymous()
        .post(
            "/api/auth/login",
            json!({"email": "chef@secrets.fr", "password": WRONG_PASSWORD}),
        )
        .await
        .expect(401);
    let group = portal.sign_in("chef@secrets.fr", GROUP_PASSWORD).await;
    let order = validated_order(&group).await;
    assert_ne!(order["status"], "quoted", "{order}");

    // A stock connection whose API key must never be written anywhere.
    manager
        .put(
            &format!("/api/accounts/{account_id}/stock-connection"),
            json!({"provider": "radarvo", "settings": {
                "base_url": "http://127.0.0.1:9/radarvo", "api_key": API_KEY
            }}),
        )
        .await
        .expect(200);
    group.post("/api/stock/sync", json!({})).await.expect(202);
    let run = portal
        .anonymous()
        .post("/_dev/run/stock-sync", json!({}))
        .await;
    assert!(run.status < 500, "{}", run.body);

    // A forgotten password.
    portal
        .anonymous()
        .post(
            "/api/auth/password-reset",
            json!({"email": "chef@secrets.fr"}),
        )
        .await
        .expect(202);
    let reset = portal
        .link_token("chef@secrets.fr", "/reinitialiser-mot-de-passe")
        .await;
    portal
        .anonymous()
        .post(
            "/api/auth/password-reset/confirm",
            json!({"token": reset, "password": NEW_PASSWORD}),
        )
        .await
        .expect(204);
    let after_reset = portal.sign_in("chef@secrets.fr", NEW_PASSWORD).await;
    after_reset.get("/api/me").await.expect(200);

    let token_secret = String::from_utf8(portal.server.services.config.token_secret.clone())
        .expect("the local secret is text");
    portal.server.stop().await;

    let captured = logs.text();
    assert!(
        captured.lines().count() > 20,
        "the scenario should have logged something: {captured}"
    );
    let secrets = [
        ("the manager's password", manager_password.as_str()),
        ("the group user's password", GROUP_PASSWORD),
        ("a wrong password", WRONG_PASSWORD),
        ("the new password", NEW_PASSWORD),
        ("the stock API key", API_KEY),
        ("the invitation token", invitation.as_str()),
        ("the reset token", reset.as_str()),
        ("a session token", accepted_token.as_str()),
        (
            "the manager's session token",
            manager.token.as_deref().expect("token"),
        ),
        (
            "another session token",
            group.token.as_deref().expect("token"),
        ),
        ("the token-signing secret", token_secret.as_str()),
    ];
    for (what, secret) in secrets {
        assert!(
            !captured.contains(secret),
            "{what} is in the logs:\n{}",
            captured
                .lines()
                .filter(|l| l.contains(secret))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    // No JWT of any test of this binary either (their header starts so).
    assert!(
        !captured.contains("eyJhbGciOi"),
        "a JWT is in the logs:\n{}",
        captured
            .lines()
            .filter(|l| l.contains("eyJhbGciOi"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
