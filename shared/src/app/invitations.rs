//! Inviting users: a manager creates customer users (any role) and other
//! managers; a group user creates members of its own account. The invitee
//! receives a French e-mail with a single-use link valid 72 hours, and
//! accepts it by choosing a name and a password.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::app::mail_delivery::{self, MailJob};
use crate::app::views::{SessionGrant, UserView};
use crate::app::{Checks, links, new_id, parse_email, parse_name, required, sessions};
use crate::domain::{Role, UserStatus};
use crate::emails;
use crate::error::{AppError, AppResult};
use crate::policy::{Action, Actor, authorize};
use crate::ports::StoreError;
use crate::ports::table::{Condition, Write};
use crate::repo::link_tokens::{LinkPurpose, LinkTokens};
use crate::repo::users::{User, Users};
use crate::security::passwords;
use crate::services::Services;

pub const INVITATION_VALID_HOURS: i64 = 72;
pub const ACCEPT_PATH: &str = "/invitation";

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct InviteUserInput {
    #[schema(value_type = String, required = true)]
    pub email: Option<String>,
    #[schema(value_type = String, required = true)]
    pub name: Option<String>,
    /// `member`, or `group` (managers only).
    #[schema(value_type = crate::domain::user::CustomerRole, required = true)]
    pub role: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct InviteManagerInput {
    #[schema(value_type = String, required = true)]
    pub email: Option<String>,
    #[schema(value_type = String, required = true)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct AcceptInput {
    /// The token of the invitation link.
    #[schema(value_type = String, required = true)]
    pub token: Option<String>,
    #[schema(value_type = String, required = true)]
    pub name: Option<String>,
    #[schema(value_type = String, required = true, format = Password)]
    pub password: Option<String>,
}

fn parse_customer_role(value: &Option<String>) -> AppResult<Role> {
    match required("role", value)? {
        "group" => Ok(Role::Group),
        "member" => Ok(Role::Member),
        "manager" => Ok(Role::Manager),
        _ => Err(AppError::invalid(
            "role",
            "Le rôle doit être « group » (utilisateur groupe) ou « member » (membre).",
        )),
    }
}

/// A customer user of `account_id`, invited by `actor`.
pub async fn invite_user(
    services: &Services,
    actor: &Actor,
    account_id: &str,
    input: InviteUserInput,
) -> AppResult<UserView> {
    let mut checks = Checks::default();
    let email = checks.take(parse_email("email", &input.email));
    let name = checks.take(parse_name("name", &input.name));
    let role = checks.take(parse_customer_role(&input.role));
    if let Some(role) = role {
        authorize(actor, Action::InviteUser { account_id, role })?;
    } else {
        authorize(actor, Action::ListUsers { account_id })?;
    }
    checks.finish()?;
    let (Some(email), Some(name), Some(role)) = (email, name, role) else {
        return Err(AppError::Unexpected("checked fields missing".into()));
    };
    let account = crate::app::accounts::require(services, account_id).await?;
    create_and_invite(
        services,
        Some(actor),
        email.as_str(),
        name.as_str(),
        role,
        Some((account.id.as_str(), account.name.as_str())),
    )
    .await
}

pub async fn invite_manager(
    services: &Services,
    actor: &Actor,
    input: InviteManagerInput,
) -> AppResult<UserView> {
    authorize(actor, Action::InviteManager)?;
    let mut checks = Checks::default();
    let email = checks.take(parse_email("email", &input.email));
    let name = checks.take(parse_name("name", &input.name));
    checks.finish()?;
    let (Some(email), Some(name)) = (email, name) else {
        return Err(AppError::Unexpected("checked fields missing".into()));
    };
    create_and_invite(
        services,
        Some(actor),
        email.as_str(),
        name.as_str(),
        Role::Manager,
        None,
    )
    .await
}

/// The first manager of a deployed portal (`infra/bootstrap-manager.sh`,
/// through a direct invocation of the `user-invite` function, which the API
/// does not route): invited by e-mail like any manager, so no password ever
/// travels through a variable; refused as soon as the portal has a manager,
/// invited or active, who then invites the others.
pub async fn invite_first_manager(
    services: &Services,
    input: InviteManagerInput,
) -> AppResult<UserView> {
    if services.users().any_manager().await? {
        return Err(AppError::Conflict {
            code: "manager_exists",
            detail: "Le portail a déjà un gestionnaire : c'est lui qui invite les suivants."
                .to_owned(),
        });
    }
    let mut checks = Checks::default();
    let email = checks.take(parse_email("email", &input.email));
    let name = checks.take(parse_name("name", &input.name));
    checks.finish()?;
    let (Some(email), Some(name)) = (email, name) else {
        return Err(AppError::Unexpected("checked fields missing".into()));
    };
    create_and_invite(
        services,
        None,
        email.as_str(),
        name.as_str(),
        Role::Manager,
        None,
    )
    .await
}

/// `inviter` is `None` for the first manager only.
async fn create_and_invite(
    services: &Services,
    inviter: Option<&Actor>,
    email: &str,
    name: &str,
    role: Role,
    account: Option<(&str, &str)>,
) -> AppResult<UserView> {
    let user = User {
        id: new_id(),
        email: email.to_owned(),
        name: name.to_owned(),
        role,
        account_id: account.map(|(id, _)| id.to_owned()),
        status: UserStatus::Invited,
        password_hash: None,
        session_version: 0,
        version: 1,
        created_at: services.clock.now(),
        invited_by: inviter.map(|actor| actor.user_id.clone()),
        last_login_at: None,
    };
    let (secret, link) = links::issue(
        services,
        &user.id,
        LinkPurpose::Invitation,
        Duration::hours(INVITATION_VALID_HOURS),
    )?;
    let mut writes = Users::create_writes(&user)?;
    writes.push(LinkTokens::create_write(&link)?);
    match services.table.transact(writes).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed { index: Some(1) }) => {
            return Err(AppError::Conflict {
                code: "email_taken",
                detail: "Un utilisateur existe déjà avec cette adresse e-mail.".to_owned(),
            });
        }
        Err(e) => return Err(e.into()),
    }
    let inviter = match inviter {
        Some(actor) => services
            .users()
            .get(&actor.user_id)
            .await?
            .map_or_else(|| "STVA".to_owned(), |u| u.name),
        None => "STVA".to_owned(),
    };
    let mail = emails::invitation(
        &user.email,
        &user.name,
        account.map(|(_, name)| name),
        &inviter,
        &links::url(services, ACCEPT_PATH, &secret),
        INVITATION_VALID_HOURS,
    );
    // The user exists either way; a failed e-mail is recorded and the
    // invitation can be sent again.
    let job = MailJob::Invitation {
        user_id: user.id.clone(),
    };
    mail_delivery::send(services, job, &mail).await;
    Ok(UserView::from(&user))
}

/// A fresh invitation link was e-mailed; it expires at `expires_at`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct InvitationResent {
    pub user: UserView,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// Sends a user still `invited` a fresh link valid 72 hours. Whoever may
/// invite that user may resend (a manager, or a group user for a member
/// of their own account). Earlier links are not revoked: each keeps working
/// until it expires, and the first one accepted makes the user active,
/// which turns every other one into `link_used`.
pub async fn resend(
    services: &Services,
    actor: &Actor,
    account_id: &str,
    user_id: &str,
) -> AppResult<InvitationResent> {
    // Other accounts' users look missing.
    authorize(actor, Action::ListUsers { account_id })?;
    let account = crate::app::accounts::require(services, account_id).await?;
    let user = services
        .users()
        .get(user_id)
        .await?
        .filter(|u| u.account_id.as_deref() == Some(account_id))
        .ok_or_else(|| AppError::not_found("Cet utilisateur est introuvable."))?;
    authorize(
        actor,
        Action::InviteUser {
            account_id,
            role: user.role,
        },
    )?;
    if user.status != UserStatus::Invited {
        return Err(not_invited());
    }
    let (secret, link) = links::issue(
        services,
        &user.id,
        LinkPurpose::Invitation,
        Duration::hours(INVITATION_VALID_HOURS),
    )?;
    // The link is stored only if the user was not changed (accepted,
    // disabled) since read.
    let writes = vec![
        Write::Check {
            key: crate::repo::users::key(&user.id),
            condition: Condition::equals("version", user.version),
        },
        LinkTokens::create_write(&link)?,
    ];
    match services.table.transact(writes).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed { index: Some(0) }) => return Err(not_invited()),
        Err(e) => return Err(e.into()),
    }
    let inviter = services
        .users()
        .get(&actor.user_id)
        .await?
        .map_or_else(|| "STVA".to_owned(), |u| u.name);
    let mail = emails::invitation(
        &user.email,
        &user.name,
        Some(account.name.as_str()),
        &inviter,
        &links::url(services, ACCEPT_PATH, &secret),
        INVITATION_VALID_HOURS,
    );
    // Unlike a first invitation, sending the mail is the whole point.
    services
        .mailer
        .send(&mail)
        .await
        .map_err(|e| AppError::Upstream {
            service: "mail",
            message: e.to_string(),
        })?;
    Ok(InvitationResent {
        user: UserView::from(&user),
        expires_at: link.expires_at,
    })
}

fn not_invited() -> AppError {
    AppError::conflict(
        "user_not_invited",
        "Cet utilisateur a déjà accepté son invitation ou a été désactivé : il n'y a rien à renvoyer.",
    )
}

/// Accepts an invitation: sets the name and password, activates the user
/// and signs them in. A link works once.
pub async fn accept(services: &Services, input: AcceptInput) -> AppResult<SessionGrant> {
    let token = required("token", &input.token)?;
    let (link, mut user) = links::check(services, token, LinkPurpose::Invitation).await?;
    let mut checks = Checks::default();
    let name = checks.take(parse_name("name", &input.name));
    let password = checks.take(crate::app::password_reset::parse_new_password(
        &input.password,
        &user.email,
    ));
    checks.finish()?;
    let (Some(name), Some(password)) = (name, password) else {
        return Err(AppError::Unexpected("checked fields missing".into()));
    };
    user.name = name.into_string();
    user.password_hash = Some(passwords::hash(&password).await?);
    user.status = UserStatus::Active;
    // Accepting signs the invitee in: the account's user list shows it.
    user.last_login_at = Some(services.clock.now());
    user.version += 1;
    links::redeem(services, &link, &user).await?;
    sessions::grant(services, &user).await
}
