//! The sample events of `events/user-invite/` (API Gateway HTTP API, payload
//! 2.0) run through this function's Lambda app as `lambda_http::run` hands
//! them over, their `{{placeholders}}` filled from a seeded embedded portal;
//! and every route of `src/lib.rs` has an event (the harness is
//! `shared::testing::lambda_events`).

use http::{StatusCode, header};
use shared::domain::Role;
use shared::repo::users::User;
use shared::testing::fixtures;
use shared::testing::lambda_events::{Answer, Events, Portal};

const EVENTS: Events = Events::new(
    "user-invite",
    env!("CARGO_MANIFEST_DIR"),
    user_invite::lambda_routes,
);

/// The manager, and an account with its group user.
struct World {
    portal: Portal,
    group: User,
}

impl World {
    /// The event `name` sent by `caller` about the seeded account.
    async fn send(&self, name: &str, caller: &User) -> Answer {
        self.portal.send_as(name, caller, &[]).await
    }
}

// One of the two checks every function makes of its events.
#[test]
fn every_route_has_a_well_formed_event() {
    EVENTS.assert_every_route_has_a_well_formed_event();
}

async fn world() -> World {
    let portal = EVENTS.portal("Garage Dupont Automobiles").await;
    let group = portal.user("direction@garage-dupont.fr", Role::Group).await;
    World { portal, group }
}

#[tokio::test]
async fn a_group_user_invites_a_member() {
    let w = world().await;
    let answer = w.send("invite-user", &w.group).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json);
    assert_eq!(answer.json["email"], "claire.martin@garage-dupont.fr");
    assert_eq!(answer.json["role"], "member");
    assert_eq!(answer.json["status"], "invited");
    assert_eq!(answer.json["account_id"], w.portal.account.id.as_str());
    let mails = w.portal.mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, "claire.martin@garage-dupont.fr");

    let again = w.send("invite-user", &w.group).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.json["code"], "email_taken");
}

#[tokio::test]
async fn the_invitee_accepts_once_and_is_signed_in() {
    let w = world().await;
    assert_eq!(
        w.send("invite-user", &w.group).await.status,
        StatusCode::CREATED
    );
    let secret = w.portal.link_token();
    let accept = EVENTS.event("accept-invitation", &[("invitation_token", &secret)]);
    let answer = w.portal.invoke(&accept).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert!(answer.json["token"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(
        answer.json["user"]["email"],
        "claire.martin@garage-dupont.fr"
    );
    assert_eq!(
        answer.json["user"]["account_name"],
        w.portal.account.name.as_str()
    );
    assert!(
        answer.headers[header::SET_COOKIE]
            .to_str()
            .expect("ASCII")
            .starts_with("stva_session=")
    );
    // Signed in: the account's user list shows when.
    let stored = w
        .portal
        .services()
        .users()
        .find_by_email("claire.martin@garage-dupont.fr")
        .await
        .expect("read")
        .expect("the invitee");
    assert!(stored.last_login_at.is_some(), "{stored:?}");

    let again = w.portal.invoke(&accept).await;
    assert_eq!(again.status, StatusCode::GONE);
    assert_eq!(again.json["code"], "link_used");
}

#[tokio::test]
async fn a_manager_invites_a_manager() {
    let w = world().await;
    let answer = w.send("invite-manager", &w.portal.manager).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json);
    assert_eq!(answer.json["email"], "paul.durand@stva.fr");
    assert_eq!(answer.json["role"], "manager");
    assert!(answer.json["account_id"].is_null());
    let mails = w.portal.mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, "paul.durand@stva.fr");

    let refused = w.send("invite-manager", &w.group).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.json["code"], "forbidden");
}

#[tokio::test]
async fn an_invitation_is_resent_with_a_fresh_link() {
    let w = world().await;
    let invited = w.send("invite-user", &w.group).await;
    assert_eq!(invited.status, StatusCode::CREATED, "{}", invited.json);
    let user_id = invited.json["id"].as_str().expect("id").to_owned();
    let first = w.portal.link_token();

    let answer = w
        .portal
        .send_as("resend-invitation", &w.group, &[("user_id", &user_id)])
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert_eq!(answer.json["user"]["id"], user_id.as_str());
    assert_eq!(answer.json["user"]["status"], "invited");
    assert!(answer.json["expires_at"].is_string(), "{}", answer.json);
    let mails = w.portal.mails();
    assert_eq!(mails.len(), 2);
    assert_eq!(mails[0].to, "claire.martin@garage-dupont.fr");
    let second = w.portal.link_token();
    assert_ne!(first, second, "a fresh link");

    // The manager may resend too; a group user cannot resend to itself.
    let by_manager = w
        .portal
        .send_as(
            "resend-invitation",
            &w.portal.manager,
            &[("user_id", &user_id)],
        )
        .await;
    assert_eq!(by_manager.status, StatusCode::OK, "{}", by_manager.json);
    let own = w
        .portal
        .send_as("resend-invitation", &w.group, &[("user_id", &w.group.id)])
        .await;
    assert_eq!(own.status, StatusCode::FORBIDDEN, "{}", own.json);

    // The fresh link works; then nothing is left to resend.
    let accept = EVENTS.event("accept-invitation", &[("invitation_token", &second)]);
    let accepted = w.portal.invoke(&accept).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.json);
    let again = w
        .portal
        .send_as(
            "resend-invitation",
            &w.portal.manager,
            &[("user_id", &user_id)],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.json);
    assert_eq!(again.json["code"], "user_not_invited");
    // The older link is now spent as well.
    let old = EVENTS.event("accept-invitation", &[("invitation_token", &first)]);
    assert_eq!(w.portal.invoke(&old).await.status, StatusCode::GONE);

    // Another account's user looks missing.
    let other = shared::testing::fixtures::seed_account(w.portal.services(), "Autre client").await;
    let hidden = w
        .portal
        .send_as(
            "resend-invitation",
            &w.group,
            &[("account_id", &other.id), ("user_id", &user_id)],
        )
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", hidden.json);
}

// The other check every function makes of its events.
#[tokio::test]
async fn signed_events_without_their_token_answer_401() {
    EVENTS.assert_signed_events_need_a_token().await;
}

/// `infra/bootstrap-manager.sh` invokes the function with this event: on an
/// empty portal it invites the first manager by e-mail (no password
/// anywhere); once a manager exists it refuses.
#[tokio::test]
async fn the_first_manager_is_invited_once_by_direct_invocation() {
    let empty = fixtures::embedded_portal();
    let event = EVENTS.event(
        "bootstrap-manager",
        &[("email", "direction@stva.fr"), ("name", "Hélène Roux")],
    );
    let answer = EVENTS.invoke(&empty.services, &event).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json);
    assert_eq!(answer.json["role"], "manager");
    assert_eq!(answer.json["status"], "invited");
    let mails = empty.outbox.list().expect("outbox");
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, "direction@stva.fr");

    let again = EVENTS.event(
        "bootstrap-manager",
        &[("email", "autre@stva.fr"), ("name", "Autre Personne")],
    );
    let refused = EVENTS.invoke(&empty.services, &again).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.json);
    assert_eq!(refused.json["code"], "manager_exists");
}

#[tokio::test]
async fn the_bootstrap_path_is_not_served_by_the_api_routes() {
    let portal = fixtures::embedded_portal();
    let app = shared::http::lambda_app(user_invite::routes(), portal.services.clone());
    let event = EVENTS.event(
        "bootstrap-manager",
        &[("email", "x@stva.fr"), ("name", "X Y")],
    );
    let request = lambda_http::request::from_str(&event).expect("event");
    let response = tower::ServiceExt::oneshot(app, request)
        .await
        .expect("infallible");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
