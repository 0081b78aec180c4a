//! The sample events of `events/auth/` (API Gateway HTTP API, payload 2.0)
//! run through this function's Lambda app as `lambda_http::run` hands them
//! over, their `{{placeholders}}` filled from a seeded embedded portal; and
//! every route of `src/lib.rs` has an event (the harness is
//! `shared::testing::lambda_events`).

use http::{StatusCode, header};
use serde_json::Value;
use shared::domain::Role;
use shared::repo::users::User;
use shared::testing::fixtures;
use shared::testing::lambda_events::{Answer, Events, Portal};

const EVENTS: Events = Events::new("auth", env!("CARGO_MANIFEST_DIR"), auth::routes);

/// A group user of a customer account.
struct World {
    portal: Portal,
    user: User,
}

impl World {
    async fn login(&self, password: &str) -> Answer {
        let values = [("email", self.user.email.as_str()), ("password", password)];
        self.portal.send("login", &values).await
    }
}

// One of the two checks every function makes of its events.
#[test]
fn every_route_has_a_well_formed_event() {
    EVENTS.assert_every_route_has_a_well_formed_event();
}

async fn world() -> World {
    let portal = EVENTS.portal("Garage Dupont Automobiles").await;
    let user = portal
        .user("jean.dupont@garage-dupont.fr", Role::Group)
        .await;
    World { portal, user }
}

#[tokio::test]
async fn login_answers_a_token_and_sets_the_cookie() {
    let w = world().await;
    let answer = w.login(fixtures::PASSWORD).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert!(answer.json["token"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(answer.json["user"]["email"], w.user.email.as_str());
    let cookie = answer.headers[header::SET_COOKIE].to_str().expect("ASCII");
    assert!(cookie.starts_with("stva_session=") && cookie.contains("HttpOnly"));
}

#[tokio::test]
async fn me_names_the_user_and_the_account() {
    let w = world().await;
    let answer = w.portal.send_as("me", &w.user, &[]).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert_eq!(answer.json["email"], w.user.email.as_str());
    assert_eq!(answer.json["role"], "group");
    assert_eq!(answer.json["account_name"], w.portal.account.name.as_str());
}

#[tokio::test]
async fn refresh_answers_a_new_token() {
    let w = world().await;
    let answer = w.portal.send_as("refresh", &w.user, &[]).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert!(answer.json["token"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(answer.json["user"]["id"], w.user.id.as_str());
}

#[tokio::test]
async fn logout_ends_the_session() {
    let w = world().await;
    let token = fixtures::token_for(w.portal.services(), &w.user);
    let answer = w.portal.send("logout", &[("token", &token)]).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    assert!(
        answer.headers[header::SET_COOKIE]
            .to_str()
            .expect("ASCII")
            .contains("Max-Age=0")
    );
    let me = w.portal.send("me", &[("token", &token)]).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me.json["code"], "invalid_session");
}

#[tokio::test]
async fn password_reset_mails_a_link_and_confirm_sets_the_password() {
    let w = world().await;
    let request = w
        .portal
        .send("password-reset", &[("email", &w.user.email)])
        .await;
    assert_eq!(request.status, StatusCode::ACCEPTED);
    let mails = w.portal.mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, w.user.email);

    let confirm = EVENTS.event(
        "password-reset-confirm",
        &[("reset_token", &w.portal.link_token())],
    );
    let answer = w.portal.invoke(&confirm).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.json);
    let sent: Value = serde_json::from_str(&confirm).expect("JSON");
    let body: Value = serde_json::from_str(sent["body"].as_str().expect("body")).expect("JSON");
    let new_password = body["password"].as_str().expect("password");
    assert_eq!(w.login(new_password).await.status, StatusCode::OK);
    assert_eq!(
        w.login(fixtures::PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    let again = w.portal.invoke(&confirm).await;
    assert_eq!(again.status, StatusCode::GONE);
    assert_eq!(again.json["code"], "link_used");
}

// The other check every function makes of its events.
#[tokio::test]
async fn signed_events_without_their_token_answer_401() {
    EVENTS.assert_signed_events_need_a_token().await;
}

/// On Lambda, `GET /api/openapi.json` answers the committed
/// `docs/openapi.json`, without a session.
#[tokio::test]
async fn the_openapi_document_is_served_without_a_session() {
    let portal = EVENTS.portal("Garage Dupont Automobiles").await;
    let answer = portal.send("openapi", &[]).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert_eq!(answer.headers[header::CONTENT_TYPE], "application/json");
    let committed: Value = serde_json::from_str(auth::COMMITTED_OPENAPI).expect("JSON");
    assert_eq!(answer.json, committed);
    assert_eq!(answer.json["openapi"], "3.1.0");
}
