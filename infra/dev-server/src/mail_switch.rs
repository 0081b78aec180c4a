//! A switch in front of the mailer, for failure drills: while it is down
//! (`POST /_dev/mail/faults {"down": true}`), every send fails as SES would
//! when unavailable, and the portal must record the e-mail, not lose it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use shared::ports::{Email, MailError, Mailer};

#[derive(Clone)]
pub struct MailSwitch {
    inner: Arc<dyn Mailer>,
    down: Arc<AtomicBool>,
}

impl MailSwitch {
    pub fn new(inner: Arc<dyn Mailer>) -> Self {
        Self {
            inner,
            down: Arc::new(AtomicBool::new(false)),
        }
    }

    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    pub fn is_down(&self) -> bool {
        self.down.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl Mailer for MailSwitch {
    async fn send(&self, email: &Email) -> Result<String, MailError> {
        if self.is_down() {
            return Err(MailError::Unavailable(
                "the mail service is down (failure drill)".into(),
            ));
        }
        self.inner.send(email).await
    }
}
