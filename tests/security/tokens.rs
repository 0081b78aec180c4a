//! The negative suite of session tokens: every defect answers 401
//! `invalid_session` and nothing else; a well-formed token signed with the
//! right key is the only way in.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use e2e_tests::{Portal, PortalBackend};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};
use shared::domain::Role;
use shared::testing::fixtures::{seed_account, seed_user, token_for};

fn payload(token: &str) -> Value {
    let part = token.split('.').nth(1).expect("a JWT has a payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("JSON")
}

fn sign(algorithm: Algorithm, claims: &Value, secret: &[u8]) -> String {
    encode(
        &Header::new(algorithm),
        claims,
        &EncodingKey::from_secret(secret).expect("key"),
    )
    .expect("sign")
}

fn with(claims: &Value, field: &str, value: Value) -> Value {
    let mut claims = claims.clone();
    claims[field] = value;
    claims
}

fn without(claims: &Value, field: &str) -> Value {
    let mut claims = claims.clone();
    claims.as_object_mut().expect("claims").remove(field);
    claims
}

/// The same header and signature around another payload.
fn swap_payload(token: &str, claims: &Value) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("JSON"));
    format!("{}.{body}.{}", parts[0], parts[2])
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[tokio::test]
async fn defective_and_forged_tokens_are_refused() {
    crate::capture::logs();
    let portal = Portal::start(PortalBackend::Embedded).await;
    let services = &portal.server.services;
    let secret = services.config.token_secret.clone();
    let garage_a = seed_account(services, "Garage A").await;
    let garage_b = seed_account(services, "Garage B").await;
    let member = seed_user(
        services,
        "vendeur@garage-a.fr",
        Role::Member,
        Some(&garage_a.id),
    )
    .await;
    let real = token_for(services, &member);
    let claims = payload(&real);

    // The forging itself is right: the same claims, re-signed, get in.
    let resigned = sign(Algorithm::HS256, &claims, &secret);
    portal
        .with_token(&resigned)
        .get("/api/me")
        .await
        .expect(200);
    // So is a token expired by less than the 30 s leeway.
    let just_expired = with(&claims, "exp", json!(now() - 10));
    portal
        .with_token(&sign(Algorithm::HS256, &just_expired, &secret))
        .get("/api/me")
        .await
        .expect(200);

    let header_none = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let body = real.split('.').nth(1).expect("payload");
    let mut forged: Vec<(&str, String)> = vec![
        ("alg none, no signature", format!("{header_none}.{body}.")),
        (
            "alg none, the real signature",
            format!(
                "{header_none}.{body}.{}",
                real.split('.').nth(2).expect("sig")
            ),
        ),
        (
            "another key",
            sign(
                Algorithm::HS256,
                &claims,
                b"an-attacker-secret-an-attacker-secret",
            ),
        ),
        (
            "HS384 with the right key",
            sign(Algorithm::HS384, &claims, &secret),
        ),
        (
            "HS512 with the right key",
            sign(Algorithm::HS512, &claims, &secret),
        ),
        (
            "expired beyond the leeway",
            sign(
                Algorithm::HS256,
                &with(&claims, "exp", json!(now() - 120)),
                &secret,
            ),
        ),
        (
            "another audience",
            sign(
                Algorithm::HS256,
                &with(&claims, "aud", json!("another-api")),
                &secret,
            ),
        ),
        (
            "another issuer",
            sign(
                Algorithm::HS256,
                &with(&claims, "iss", json!("someone-else")),
                &secret,
            ),
        ),
        (
            "non-numeric exp",
            sign(
                Algorithm::HS256,
                &with(&claims, "exp", json!("9999999999")),
                &secret,
            ),
        ),
        (
            "no exp",
            sign(Algorithm::HS256, &without(&claims, "exp"), &secret),
        ),
        (
            "no audience",
            sign(Algorithm::HS256, &without(&claims, "aud"), &secret),
        ),
        (
            "edited to another account, signature kept",
            swap_payload(&real, &with(&claims, "acc", json!(garage_b.id))),
        ),
        (
            "edited to manager, signature kept",
            swap_payload(&real, &with(&claims, "role", json!("manager"))),
        ),
        (
            "re-signed for another account (the user is not of it)",
            sign(
                Algorithm::HS256,
                &with(&claims, "acc", json!(garage_b.id)),
                &secret,
            ),
        ),
        (
            "re-signed as manager (the user is not one)",
            sign(
                Algorithm::HS256,
                &without(&with(&claims, "role", json!("manager")), "acc"),
                &secret,
            ),
        ),
        (
            "an older session version",
            sign(
                Algorithm::HS256,
                &with(&claims, "sv", json!(member.session_version + 1)),
                &secret,
            ),
        ),
        ("truncated", real[..real.len() - 5].to_owned()),
        ("garbage", "not.a.token".to_owned()),
        ("empty parts", "..".to_owned()),
    ];
    // Far-future issue dates are not a way around expiry either.
    forged.push((
        "issued in the future, expired",
        sign(
            Algorithm::HS256,
            &with(
                &with(&claims, "iat", json!(now() + 86_400)),
                "exp",
                json!(now() - 3_600),
            ),
            &secret,
        ),
    ));

    for (what, token) in &forged {
        let answer = portal.with_token(token).get("/api/me").await;
        assert_eq!(answer.status, 401, "{what}: {}", answer.body);
        assert_eq!(answer.body["code"], "invalid_session", "{what}");
        // The same defect through the cookie.
        let cookie = portal
            .http
            .get(portal.url("/api/addresses"))
            .header("cookie", format!("{}={token}", shared::http::cookie::NAME))
            .send()
            .await
            .expect("request");
        assert_eq!(cookie.status().as_u16(), 401, "{what} as a cookie");
    }

    // A bearer scheme other than Bearer is no session at all.
    let basic = portal
        .http
        .get(portal.url("/api/me"))
        .header("authorization", format!("Basic {real}"))
        .send()
        .await
        .expect("request");
    assert_eq!(basic.status().as_u16(), 401);
    portal.server.stop().await;
}
