//! The life of an order: its statuses and the transitions allowed between
//! them, from the quote to the delivery (or the cancellation, or the expiry
//! of the quote).
//!
//! Allowed moves (anything else is a [`TransitionError`]):
//! - `quoted` → `validated`, `expired` or `cancelled`;
//! - `validated` → `confirmed` or `cancelled`;
//! - `confirmed` → `scheduled` or `cancelled`;
//! - `scheduled` → `picked_up` or `cancelled`;
//! - `picked_up` → `in_transit` → `delivered`;
//! - `expired`, `delivered` and `cancelled` are final.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Where an order stands. Serialised in snake_case (`picked_up`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(utoipa::ToSchema)]
pub enum OrderStatus {
    /// Priced by the ERP, awaiting the customer's validation.
    Quoted,
    /// The quote ran out before the customer validated it.
    Expired,
    /// Validated by the customer; sent (or being sent) to the ERP.
    Validated,
    /// Accepted by the ERP.
    Confirmed,
    /// A truck and a pickup date are planned.
    Scheduled,
    /// The vehicles are on the truck.
    PickedUp,
    /// On the road.
    InTransit,
    /// Delivered at the delivery address.
    Delivered,
    /// Cancelled by the customer (while quoted) or by STVA.
    Cancelled,
}

/// A move between two statuses that the state machine does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "Une commande ne peut pas passer de l'état « {} » à l'état « {} ».",
    from.label_fr(),
    to.label_fr()
)]
pub struct TransitionError {
    pub from: OrderStatus,
    pub to: OrderStatus,
}

/// A text that is not a known status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "Statut de commande inconnu : « {0} » (attendu : quoted, expired, validated, confirmed, scheduled, picked_up, in_transit, delivered ou cancelled)."
)]
pub struct ParseOrderStatusError(pub String);

/// The forward transport chain that the ERP reports, in order.
const TRANSPORT_CHAIN: [OrderStatus; 6] = [
    OrderStatus::Validated,
    OrderStatus::Confirmed,
    OrderStatus::Scheduled,
    OrderStatus::PickedUp,
    OrderStatus::InTransit,
    OrderStatus::Delivered,
];

impl OrderStatus {
    /// Every status, in the order of an order's life.
    pub const ALL: [OrderStatus; 9] = [
        OrderStatus::Quoted,
        OrderStatus::Expired,
        OrderStatus::Validated,
        OrderStatus::Confirmed,
        OrderStatus::Scheduled,
        OrderStatus::PickedUp,
        OrderStatus::InTransit,
        OrderStatus::Delivered,
        OrderStatus::Cancelled,
    ];

    /// The API name (`picked_up`), as serialised.
    pub const fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Quoted => "quoted",
            OrderStatus::Expired => "expired",
            OrderStatus::Validated => "validated",
            OrderStatus::Confirmed => "confirmed",
            OrderStatus::Scheduled => "scheduled",
            OrderStatus::PickedUp => "picked_up",
            OrderStatus::InTransit => "in_transit",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    /// The French label shown to users.
    pub const fn label_fr(self) -> &'static str {
        match self {
            OrderStatus::Quoted => "Devis",
            OrderStatus::Expired => "Expiré",
            OrderStatus::Validated => "Validée",
            OrderStatus::Confirmed => "Confirmée",
            OrderStatus::Scheduled => "Planifiée",
            OrderStatus::PickedUp => "Enlevée",
            OrderStatus::InTransit => "En transit",
            OrderStatus::Delivered => "Livrée",
            OrderStatus::Cancelled => "Annulée",
        }
    }

    /// The statuses this one may move to directly.
    pub const fn next_statuses(self) -> &'static [OrderStatus] {
        use OrderStatus::*;
        match self {
            Quoted => &[Validated, Expired, Cancelled],
            Validated => &[Confirmed, Cancelled],
            Confirmed => &[Scheduled, Cancelled],
            Scheduled => &[PickedUp, Cancelled],
            PickedUp => &[InTransit],
            InTransit => &[Delivered],
            Expired | Delivered | Cancelled => &[],
        }
    }

    /// Whether the state machine allows moving from `self` to `to` directly.
    pub fn can_transition_to(self, to: OrderStatus) -> bool {
        self.next_statuses().contains(&to)
    }

    /// Moves to `to` if allowed, giving the new status.
    pub fn transition(self, to: OrderStatus) -> Result<OrderStatus, TransitionError> {
        if self.can_transition_to(to) {
            Ok(to)
        } else {
            Err(TransitionError { from: self, to })
        }
    }

    /// An order that can no longer change: expired, delivered or cancelled.
    pub const fn is_terminal(self) -> bool {
        matches!(
            self,
            OrderStatus::Expired | OrderStatus::Delivered | OrderStatus::Cancelled
        )
    }

    /// An order that is under way and reserves its vehicles: from `quoted`
    /// to `in_transit`.
    pub const fn is_active(self) -> bool {
        !self.is_terminal()
    }

    /// The statuses an order goes through from `self` to `target`,
    /// excluding `self` and including `target`, for the timeline: one
    /// status poll that learns an order went from `confirmed` to
    /// `in_transit` records `scheduled, picked_up, in_transit`.
    ///
    /// - `target == self`: nothing happened, `Ok(vec![])`.
    /// - a direct transition (`cancelled`, `expired`, ...): `Ok(vec![target])`.
    /// - forward along `validated -> confirmed -> scheduled -> picked_up ->
    ///   in_transit -> delivered`: every status in between, then `target`.
    /// - anything else (backwards, out of a terminal status): an error.
    ///
    /// Each consecutive pair of `self` followed by the result is an allowed
    /// [`OrderStatus::transition`].
    pub fn steps_to(self, target: OrderStatus) -> Result<Vec<OrderStatus>, TransitionError> {
        if self == target {
            return Ok(Vec::new());
        }
        if self.can_transition_to(target) {
            return Ok(vec![target]);
        }
        let position = |status| TRANSPORT_CHAIN.iter().position(|&s| s == status);
        match (position(self), position(target)) {
            (Some(from), Some(to)) if from < to => Ok(TRANSPORT_CHAIN[from + 1..=to].to_vec()),
            _ => Err(TransitionError {
                from: self,
                to: target,
            }),
        }
    }
}

impl fmt::Display for OrderStatus {
    /// The API name (`picked_up`); use [`OrderStatus::label_fr`] for users.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OrderStatus {
    type Err = ParseOrderStatusError;

    /// Parses the API name; surrounding spaces and case are ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        OrderStatus::ALL
            .into_iter()
            .find(|status| status.as_str().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| ParseOrderStatusError(wanted.to_owned()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::OrderStatus::*;
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn allowed_transitions() {
        let allowed = [
            (Quoted, Validated),
            (Quoted, Expired),
            (Quoted, Cancelled),
            (Validated, Confirmed),
            (Validated, Cancelled),
            (Confirmed, Scheduled),
            (Confirmed, Cancelled),
            (Scheduled, PickedUp),
            (Scheduled, Cancelled),
            (PickedUp, InTransit),
            (InTransit, Delivered),
        ];
        for from in OrderStatus::ALL {
            for to in OrderStatus::ALL {
                let expected = allowed.contains(&(from, to));
                assert_eq!(from.can_transition_to(to), expected, "{from} -> {to}");
                assert_eq!(from.transition(to).is_ok(), expected, "{from} -> {to}");
            }
        }
        assert_eq!(Quoted.transition(Validated), Ok(Validated));
        let err = PickedUp.transition(Cancelled).unwrap_err();
        assert_eq!(
            err,
            TransitionError {
                from: PickedUp,
                to: Cancelled
            }
        );
        assert_eq!(
            err.to_string(),
            "Une commande ne peut pas passer de l'état « Enlevée » à l'état « Annulée »."
        );
    }

    #[test]
    fn terminal_and_active() {
        for status in OrderStatus::ALL {
            let terminal = matches!(status, Expired | Delivered | Cancelled);
            assert_eq!(status.is_terminal(), terminal, "{status}");
            assert_eq!(status.is_active(), !terminal, "{status}");
            assert_eq!(status.next_statuses().is_empty(), terminal, "{status}");
        }
    }

    #[test]
    fn steps_through_the_transport_chain() {
        assert_eq!(
            Confirmed.steps_to(InTransit),
            Ok(vec![Scheduled, PickedUp, InTransit])
        );
        assert_eq!(
            Validated.steps_to(Delivered),
            Ok(vec![Confirmed, Scheduled, PickedUp, InTransit, Delivered])
        );
        assert_eq!(Scheduled.steps_to(PickedUp), Ok(vec![PickedUp]));
        assert_eq!(Scheduled.steps_to(Cancelled), Ok(vec![Cancelled]));
        assert_eq!(Quoted.steps_to(Validated), Ok(vec![Validated]));
        assert_eq!(Quoted.steps_to(Expired), Ok(vec![Expired]));
        assert_eq!(InTransit.steps_to(InTransit), Ok(vec![]));
        assert!(InTransit.steps_to(Confirmed).is_err());
        assert!(PickedUp.steps_to(Cancelled).is_err());
        assert!(Delivered.steps_to(Cancelled).is_err());
        assert!(Quoted.steps_to(Confirmed).is_err());
        assert!(Cancelled.steps_to(Delivered).is_err());
    }

    #[test]
    fn names_labels_and_serde() {
        for status in OrderStatus::ALL {
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
            assert_eq!(serde_json::from_str::<OrderStatus>(&json).unwrap(), status);
            assert_eq!(status.as_str().parse::<OrderStatus>(), Ok(status));
            assert!(!status.label_fr().is_empty());
        }
        assert_eq!(" In_Transit ".parse::<OrderStatus>(), Ok(InTransit));
        assert_eq!(PickedUp.to_string(), "picked_up");
        assert_eq!(PickedUp.label_fr(), "Enlevée");
        assert_eq!(Quoted.label_fr(), "Devis");
        let err = "shipped".parse::<OrderStatus>().unwrap_err();
        assert!(err.to_string().contains("« shipped »"));
        assert!(serde_json::from_str::<OrderStatus>("\"in-transit\"").is_err());
    }

    fn status() -> impl Strategy<Value = OrderStatus> {
        prop::sample::select(OrderStatus::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn random_walks_take_only_allowed_transitions(
            choices in prop::collection::vec(any::<prop::sample::Index>(), 0..12),
        ) {
            let mut current = Quoted;
            for choice in choices {
                let next = current.next_statuses();
                if next.is_empty() {
                    prop_assert!(current.is_terminal());
                    break;
                }
                let to = *choice.get(next);
                prop_assert_eq!(current.transition(to), Ok(to));
                current = to;
            }
        }

        #[test]
        fn terminal_states_go_nowhere(from in status(), to in status()) {
            if from.is_terminal() {
                prop_assert!(from.transition(to).is_err());
                prop_assert_eq!(from.steps_to(to).is_ok(), from == to);
            }
        }

        #[test]
        fn steps_to_is_consistent_with_transition(from in status(), to in status()) {
            match from.steps_to(to) {
                Ok(steps) => {
                    prop_assert_eq!(steps.is_empty(), from == to);
                    if let Some(&last) = steps.last() {
                        prop_assert_eq!(last, to);
                    }
                    let mut current = from;
                    for step in steps {
                        prop_assert_eq!(current.transition(step), Ok(step));
                        current = step;
                    }
                    prop_assert_eq!(current, to);
                }
                Err(err) => {
                    prop_assert_eq!(err, TransitionError { from, to });
                    prop_assert!(from.transition(to).is_err());
                }
            }
            if from.can_transition_to(to) {
                prop_assert_eq!(from.steps_to(to), Ok(vec![to]));
            }
        }
    }
}
