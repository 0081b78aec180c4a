//! The portal's e-mails, in French, each with a plain-text and an HTML body.

use crate::ports::{Attachment, Email};

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A message with a greeting, paragraphs, one call to action and a footer.
struct Layout<'a> {
    greeting: String,
    paragraphs: Vec<String>,
    action_label: &'a str,
    action_url: &'a str,
    closing: Vec<String>,
}

impl Layout<'_> {
    fn text(&self) -> String {
        let mut out = format!("{}\n\n", self.greeting);
        for p in &self.paragraphs {
            out.push_str(p);
            out.push_str("\n\n");
        }
        out.push_str(&format!("{} : {}\n\n", self.action_label, self.action_url));
        for p in &self.closing {
            out.push_str(p);
            out.push_str("\n\n");
        }
        out.push_str("L'équipe STVA\n");
        out
    }

    fn html(&self) -> String {
        let mut body = format!("<p>{}</p>", escape_html(&self.greeting));
        for p in &self.paragraphs {
            body.push_str(&format!("<p>{}</p>", escape_html(p)));
        }
        body.push_str(&format!(
            "<p style=\"margin:28px 0\"><a href=\"{url}\" style=\"background:#0b3d91;color:#ffffff;\
             padding:12px 20px;border-radius:6px;text-decoration:none;font-weight:bold\">{label}</a></p>\
             <p style=\"color:#555;font-size:13px\">Si le bouton ne fonctionne pas, copiez ce lien dans \
             votre navigateur :<br><a href=\"{url}\">{url}</a></p>",
            url = escape_html(self.action_url),
            label = escape_html(self.action_label),
        ));
        for p in &self.closing {
            body.push_str(&format!("<p>{}</p>", escape_html(p)));
        }
        format!(
            "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>STVA</title></head>\
             <body style=\"font-family:Arial,Helvetica,sans-serif;color:#1a1a1a;max-width:560px;margin:auto\">\
             <h1 style=\"color:#0b3d91;font-size:20px\">STVA — Portail client</h1>{body}\
             <p>L'équipe STVA</p></body></html>"
        )
    }
}

/// The invitation to a new user: how to sign in for the first time.
pub fn invitation(
    to: &str,
    name: &str,
    account_name: Option<&str>,
    invited_by: &str,
    link: &str,
    valid_hours: i64,
) -> Email {
    let context = match account_name {
        Some(account) => format!(
            "{invited_by} vous a créé un accès au portail client STVA pour le compte « {account} ». \
             Vous pourrez y commander le transport de vos véhicules, suivre vos livraisons et \
             télécharger vos factures."
        ),
        None => format!("{invited_by} vous a créé un accès gestionnaire au portail client STVA."),
    };
    let layout = Layout {
        greeting: format!("Bonjour {name},"),
        paragraphs: vec![
            context,
            "Pour activer votre accès, ouvrez le lien ci-dessous, choisissez votre mot de passe \
             (12 caractères au moins), puis connectez-vous avec votre adresse e-mail."
                .to_owned(),
        ],
        action_label: "Activer mon accès",
        action_url: link,
        closing: vec![format!(
            "Ce lien est personnel, ne sert qu'une fois et expire dans {valid_hours} heures. \
             Si vous n'attendiez pas cette invitation, ignorez ce message."
        )],
    };
    Email {
        to: to.to_owned(),
        subject: "Votre accès au portail client STVA".to_owned(),
        text: layout.text(),
        html: layout.html(),
        attachments: Vec::new(),
    }
}

/// The password reset link.
pub fn password_reset(to: &str, name: &str, link: &str, valid_minutes: i64) -> Email {
    let layout = Layout {
        greeting: format!("Bonjour {name},"),
        paragraphs: vec![
            "Vous avez demandé à réinitialiser le mot de passe de votre accès au portail client STVA."
                .to_owned(),
        ],
        action_label: "Choisir un nouveau mot de passe",
        action_url: link,
        closing: vec![format!(
            "Ce lien ne sert qu'une fois et expire dans {valid_minutes} minutes. Si vous n'êtes pas \
             à l'origine de cette demande, ignorez ce message : votre mot de passe reste inchangé."
        )],
    };
    Email {
        to: to.to_owned(),
        subject: "Réinitialisation de votre mot de passe STVA".to_owned(),
        text: layout.text(),
        html: layout.html(),
        attachments: Vec::new(),
    }
}

fn order_summary(order: &crate::repo::orders::Order) -> String {
    let plates: Vec<String> = order
        .vehicles
        .iter()
        .map(|v| crate::app::order_views::display_plate(&v.plate))
        .collect();
    format!(
        "Commande {} : {} véhicule(s) ({}), de {} ({}) à {} ({}).",
        order.number,
        order.vehicles.len(),
        plates.join(", "),
        order.pickup.fields.city,
        order.pickup.fields.postal_code,
        order.delivery.fields.city,
        order.delivery.fields.postal_code,
    )
}

fn order_link(public_url: &str, order: &crate::repo::orders::Order) -> String {
    format!("{public_url}/commandes/{}", order.id)
}

/// Sent when the customer validates: the purchase order attached.
pub fn order_validated(
    order: &crate::repo::orders::Order,
    purchase_order_pdf: Vec<u8>,
    public_url: &str,
) -> Email {
    let link = order_link(public_url, order);
    let total = crate::domain::Money::from_cents(order.estimate.amount_incl_tax_cents).format_fr();
    let layout = Layout {
        greeting: format!("Bonjour {},", order.created_by_name),
        paragraphs: vec![
            format!("Nous avons bien reçu la validation de votre commande {}.", order.number),
            order_summary(order),
            format!("Montant estimé : {total} TTC. Votre bon de commande est joint à ce message."),
            "STVA confirme la prise en charge sous peu ; vous suivrez chaque étape du transport sur le portail."
                .to_owned(),
        ],
        action_label: "Suivre ma commande",
        action_url: &link,
        closing: Vec::new(),
    };
    Email {
        to: order.created_by_email.clone(),
        subject: format!("Commande {} validée — bon de commande", order.number),
        text: layout.text(),
        html: layout.html(),
        attachments: vec![Attachment {
            filename: format!("bon-de-commande-{}.pdf", order.number),
            content_type: "application/pdf".to_owned(),
            bytes: purchase_order_pdf,
        }],
    }
}

/// Sent at the transport's milestones: confirmed, picked up, delivered.
pub fn order_status(
    order: &crate::repo::orders::Order,
    status: crate::domain::OrderStatus,
    public_url: &str,
) -> Email {
    use crate::domain::OrderStatus;
    let link = order_link(public_url, order);
    let (subject, news) = match status {
        OrderStatus::Confirmed => (
            format!("Commande {} confirmée par STVA", order.number),
            "STVA a confirmé votre commande : l'enlèvement va être planifié.".to_owned(),
        ),
        OrderStatus::PickedUp => (
            format!("Commande {} : véhicules enlevés", order.number),
            "Vos véhicules ont été enlevés et sont en route vers leur destination.".to_owned(),
        ),
        OrderStatus::Delivered => (
            format!("Commande {} livrée", order.number),
            "Vos véhicules ont été livrés. La facture sera disponible sur le portail dès son émission."
                .to_owned(),
        ),
        other => (
            format!("Commande {} : {}", order.number, other.label_fr()),
            format!("Votre commande est maintenant « {} ».", other.label_fr()),
        ),
    };
    let layout = Layout {
        greeting: format!("Bonjour {},", order.created_by_name),
        paragraphs: vec![news, order_summary(order)],
        action_label: "Voir ma commande",
        action_url: &link,
        closing: Vec::new(),
    };
    Email {
        to: order.created_by_email.clone(),
        subject,
        text: layout.text(),
        html: layout.html(),
        attachments: Vec::new(),
    }
}

/// Sent when a manager publishes the order's invoice.
pub fn invoice_available(order: &crate::repo::orders::Order, public_url: &str) -> Email {
    let link = order_link(public_url, order);
    let layout = Layout {
        greeting: format!("Bonjour {},", order.created_by_name),
        paragraphs: vec![
            format!(
                "Votre facture est disponible pour la commande {}.",
                order.number
            ),
            order_summary(order),
            "Vous pouvez la télécharger depuis la page de la commande, sur le portail.".to_owned(),
        ],
        action_label: "Télécharger ma facture",
        action_url: &link,
        closing: Vec::new(),
    };
    Email {
        to: order.created_by_email.clone(),
        subject: format!("Votre facture est disponible — commande {}", order.number),
        text: layout.text(),
        html: layout.html(),
        attachments: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invitation_holds_the_link_in_both_bodies_and_escapes_html() {
        let mail = invitation(
            "a@b.fr",
            "Zoé <script>",
            Some("Garage & Fils"),
            "Marc",
            "https://p.fr/invitation?token=abc",
            72,
        );
        assert!(mail.text.contains("https://p.fr/invitation?token=abc"));
        assert!(mail.html.contains("https://p.fr/invitation?token=abc"));
        assert!(mail.html.contains("Garage &amp; Fils"));
        assert!(!mail.html.contains("<script>"));
        assert!(mail.text.contains("72 heures"));
    }
}
