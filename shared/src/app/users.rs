//! The users of an account: listed by its group users and by managers, who
//! can also disable them (which ends their sessions at once).

use crate::app::views::UserView;
use crate::app::{PageQuery, accounts};
use crate::domain::UserStatus;
use crate::error::{AppError, AppResult};
use crate::policy::{Action, Actor, authorize};
use crate::repo::{Page, page_size};
use crate::services::Services;

pub async fn list(
    services: &Services,
    actor: &Actor,
    account_id: &str,
    page: PageQuery,
) -> AppResult<Page<UserView>> {
    authorize(actor, Action::ListUsers { account_id })?;
    accounts::require(services, account_id).await?;
    let users = services
        .users()
        .list(Some(account_id), page_size(page.limit), page.cursor)
        .await?;
    Ok(users.map(|u| UserView::from(&u)))
}

pub async fn disable(
    services: &Services,
    actor: &Actor,
    account_id: &str,
    user_id: &str,
) -> AppResult<()> {
    authorize(actor, Action::DisableUser { account_id })?;
    let users = services.users();
    let mut user = users
        .get(user_id)
        .await?
        .filter(|u| u.account_id.as_deref() == Some(account_id))
        .ok_or_else(|| AppError::not_found("Cet utilisateur est introuvable."))?;
    if user.id == actor.user_id {
        return Err(AppError::conflict(
            "cannot_disable_self",
            "Vous ne pouvez pas désactiver votre propre accès.",
        ));
    }
    if user.status == UserStatus::Disabled {
        return Ok(());
    }
    user.status = UserStatus::Disabled;
    user.session_version = user.session_version.wrapping_add(1);
    user.version += 1;
    users.update(&user).await?;
    Ok(())
}
