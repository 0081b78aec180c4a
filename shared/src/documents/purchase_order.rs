//! The purchase order ("bon de commande") of a transport, as an A4 PDF in
//! French: STVA's header, the customer, the pickup and delivery places side
//! by side, the vehicles (the table goes on over as many pages as needed,
//! its header repeated), the totals, the validity of the quote, the
//! conditions, and "Page n/N" at the foot of every page.
//!
//! Rendering is deterministic: the same order gives the same bytes (the
//! PDF's creation date is the order's `issued_at`, its identifier derives
//! from the order number). Dates are shown in French time (Europe/Paris).

use time::OffsetDateTime;

use super::DocumentError;
use super::french::{country_fr, integer_fr, paris_date_fr};
use super::layout::{
    self, Color, Flow, Fonts, Info, LINE_HEIGHT, PAGE_HEIGHT, PAGE_WIDTH, Page, Shaped, Weight,
};
use crate::domain::Money;
use crate::domain::money::VAT_RATE_BASIS_POINTS;

/// A purchase order, as printed.
#[derive(Debug, Clone, Copy)]
pub struct PurchaseOrder<'a> {
    /// The order's number, e.g. `BC-2026-000123`.
    pub order_number: &'a str,
    /// When the order (or the quote) was issued; its date is printed.
    pub issued_at: OffsetDateTime,
    /// The customer account's name.
    pub customer_name: &'a str,
    pub customer_siret: Option<&'a str>,
    /// The customer's own reference for this order.
    pub customer_reference: Option<&'a str>,
    /// The name of the user who placed the order.
    pub ordered_by: &'a str,
    pub pickup: Place<'a>,
    pub delivery: Place<'a>,
    pub vehicles: &'a [VehicleLine<'a>],
    pub amount_excl_tax: Money,
    pub vat: Money,
    pub amount_incl_tax: Money,
    /// The estimated road distance, in kilometres.
    pub distance_km: u32,
    /// Until when the quoted price holds.
    pub valid_until: OffsetDateTime,
    /// The order's status, as shown to the customer (`Devis`, `Validée`).
    pub status_label: &'a str,
}

/// A pickup or delivery place.
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    /// The place's name in the address book (`Garage Martin`).
    pub label: &'a str,
    pub company: Option<&'a str>,
    /// Street address; may hold several lines separated by `\n`.
    pub street: &'a str,
    pub postal_code: &'a str,
    pub city: &'a str,
    /// The country: an ISO 3166-1 alpha-2 code (`FR`, printed `France`) or
    /// a name.
    pub country: &'a str,
    pub contact_name: Option<&'a str>,
    pub contact_phone: Option<&'a str>,
    /// Access instructions (opening hours, gate code...).
    pub instructions: Option<&'a str>,
}

/// One vehicle to carry.
#[derive(Debug, Clone, Copy)]
pub struct VehicleLine<'a> {
    pub make: &'a str,
    pub model: &'a str,
    /// The plate in its display form, e.g. `AB-123-CD`.
    pub plate: &'a str,
    pub vin: Option<&'a str>,
}

/// Renders the purchase order as a PDF document (A4, French).
pub fn render(order: &PurchaseOrder<'_>) -> Result<Vec<u8>, DocumentError> {
    let fonts = layout::fonts()?;
    let pages = lay_out(fonts, order);
    let info = Info {
        title: format!("Bon de commande {}", order.order_number),
        document_id: order.order_number.to_owned(),
        created: order.issued_at,
    };
    layout::render_pdf(fonts, &pages, &info)
}

// ---------------------------------------------------------------------------
// Page geometry and style

const COMPANY_NAME: &str = "STVA — Transport de véhicules";
const COMPANY_LINE: &str = "Société de Transport de Véhicules Automobiles";

const MARGIN_X: f32 = 45.0;
const RIGHT: f32 = PAGE_WIDTH - MARGIN_X;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN_X;
const TOP: f32 = 40.0;
/// The footer's rule; content stops above [`BOTTOM`].
const FOOTER_RULE: f32 = PAGE_HEIGHT - 44.0;
const BOTTOM: f32 = FOOTER_RULE - 12.0;

const SECTION_GAP: f32 = 16.0;

const BODY: f32 = 9.5;
const SMALL: f32 = 8.5;

const ACCENT: Color = Color(0x1b, 0x3a, 0x5c);
const ACCENT_LIGHT: Color = Color(0xe4, 0xeb, 0xf3);
const INK: Color = Color(0x1e, 0x22, 0x27);
const MUTED: Color = Color(0x5c, 0x65, 0x70);
const BORDER: Color = Color(0xc3, 0xcb, 0xd5);
const ZEBRA: Color = Color(0xf4, 0xf6, 0xf9);
const WHITE: Color = Color(0xff, 0xff, 0xff);

/// The conditions printed at the end of the order.
const CONDITIONS: [&str; 5] = [
    "Le prix indiqué est une estimation établie par le système de gestion (ERP) de STVA \
     à partir des informations fournies lors de la commande\u{a0}: adresses, nombre et \
     type de véhicules, distance estimée. Il peut être révisé si ces informations se \
     révèlent inexactes.",
    "La commande ne devient ferme qu'après sa validation et sa confirmation par STVA.",
    "Au moment de l'enlèvement, les véhicules doivent être accessibles et en état d'être \
     chargés, et leurs clés disponibles.",
    "Les éventuels dommages sont constatés à la livraison, en présence du chauffeur, et \
     consignés sur le procès-verbal de livraison signé par le destinataire.",
    "Les factures sont payables à 30\u{a0}jours à compter de leur date d'émission.",
];

fn line_height(size: f32) -> f32 {
    size * LINE_HEIGHT
}

// ---------------------------------------------------------------------------
// Layout

/// Lays the order out into pages, footers included.
fn lay_out(fonts: &'static Fonts, order: &PurchaseOrder<'_>) -> Vec<Page> {
    let mut doc = Layout {
        flow: Flow::new(fonts, TOP, BOTTOM),
        order,
    };
    doc.first_page_header();
    doc.customer();
    doc.places();
    doc.vehicles();
    doc.totals();
    doc.conditions();
    let mut pages = doc.flow.pages;
    add_footers(fonts, &mut pages, order);
    pages
}

struct Layout<'o, 'a> {
    flow: Flow,
    order: &'o PurchaseOrder<'a>,
}

impl Layout<'_, '_> {
    fn fonts(&self) -> &'static Fonts {
        self.flow.fonts
    }

    /// Makes room for `height` points: starts a new page (with its short
    /// header) unless they fit here. Returns whether a page was started. A
    /// block taller than a page starts at the top of a page, never loops.
    fn ensure(&mut self, height: f32) -> bool {
        if height <= self.flow.room() || self.at_page_top() {
            return false;
        }
        self.flow.new_page();
        self.continuation_header();
        true
    }

    /// Nothing has been drawn below the continuation header yet.
    fn at_page_top(&self) -> bool {
        self.flow.pages.len() > 1 && self.flow.y <= self.flow.top + CONTINUATION_HEADER + 0.01
    }

    fn first_page_header(&mut self) {
        let top = self.flow.y;
        let name_size = 17.0;
        self.flow
            .text_at(MARGIN_X, top, name_size, Weight::Bold, ACCENT, COMPANY_NAME);
        let name_width = self.fonts().width(COMPANY_NAME, Weight::Bold, name_size);

        // The status, in a badge on the right.
        let badge_size = 9.0;
        let padding = 7.0;
        let max_badge = (CONTENT_WIDTH - name_width - 20.0).max(60.0) - 2.0 * padding;
        let status =
            self.fonts()
                .wrap(self.order.status_label, Weight::Bold, badge_size, max_badge);
        if !status.is_empty() {
            let text_width = status
                .iter()
                .map(|line| line.width(badge_size))
                .fold(0.0, f32::max);
            let width = text_width + 2.0 * padding;
            let height = status.len() as f32 * line_height(badge_size) + 6.0;
            let x = RIGHT - width;
            self.flow
                .fill_rect(x, top + 1.0, width, height, ACCENT_LIGHT);
            let mut y = top + 4.0;
            for line in status {
                let left = x + (width - line.width(badge_size)) / 2.0;
                self.flow.line_at(left, y, badge_size, ACCENT, line);
                y += line_height(badge_size);
            }
        }

        let mut y = top + line_height(name_size);
        self.flow
            .text_at(MARGIN_X, y, 9.0, Weight::Regular, MUTED, COMPANY_LINE);
        y += line_height(9.0) + 8.0;
        self.flow.hline(MARGIN_X, y, CONTENT_WIDTH, 1.5, ACCENT);
        y += 16.0;

        // Title on the left, number and date on the right.
        let title_size = 22.0;
        let title = "Bon de commande";
        let title_width = self
            .flow
            .text_at(MARGIN_X, y, title_size, Weight::Bold, INK, title);
        let number = format!("N°\u{a0}{}", self.order.order_number);
        let date = format!("Date\u{a0}: {}", paris_date_fr(self.order.issued_at));
        let number_width = self.fonts().width(&number, Weight::Bold, 11.0);
        let right_top = if title_width + number_width + 24.0 <= CONTENT_WIDTH {
            y + 2.0
        } else {
            y + line_height(title_size)
        };
        let number_lines = self
            .fonts()
            .wrap(&number, Weight::Bold, 11.0, CONTENT_WIDTH);
        let mut right_y = right_top;
        for line in number_lines {
            let width = line.width(11.0);
            self.flow.line_at(RIGHT - width, right_y, 11.0, INK, line);
            right_y += line_height(11.0);
        }
        self.flow
            .text_right_at(RIGHT, right_y + 1.0, BODY, Weight::Regular, MUTED, &date);
        right_y += 1.0 + line_height(BODY);
        self.flow.y = (y + line_height(title_size)).max(right_y) + SECTION_GAP - 4.0;
    }

    /// Draws the short header of the pages after the first.
    fn continuation_header(&mut self) {
        let top = self.flow.y;
        self.flow
            .text_at(MARGIN_X, top, 10.0, Weight::Bold, ACCENT, COMPANY_NAME);
        let reference = format!("Bon de commande {} (suite)", self.order.order_number);
        let name_width = self.fonts().width(COMPANY_NAME, Weight::Bold, 10.0);
        let room = CONTENT_WIDTH - name_width - 16.0;
        if let Some(line) = self
            .fonts()
            .wrap(&reference, Weight::Regular, SMALL, room.max(40.0))
            .into_iter()
            .next()
        {
            let width = line.width(SMALL);
            self.flow
                .line_at(RIGHT - width, top + 1.5, SMALL, MUTED, line);
        }
        let rule = top + line_height(10.0) + 4.0;
        self.flow.hline(MARGIN_X, rule, CONTENT_WIDTH, 0.8, ACCENT);
        self.flow.y = top + CONTINUATION_HEADER;
    }

    /// A section title, kept with at least `keep_with` points of what follows.
    fn heading(&mut self, title: &str, keep_with: f32) {
        let size = 11.0;
        self.ensure(line_height(size) + 8.0 + keep_with);
        let y = self.flow.y;
        self.flow
            .text_at(MARGIN_X, y, size, Weight::Bold, ACCENT, title);
        let rule = y + line_height(size) + 2.0;
        self.flow.hline(MARGIN_X, rule, CONTENT_WIDTH, 0.6, BORDER);
        self.flow.y = rule + 6.0;
    }

    fn customer(&mut self) {
        let order = self.order;
        self.heading("Client", 3.0 * line_height(BODY));
        let rows = [
            ("Compte", Some(order.customer_name), Weight::Bold),
            ("SIRET", order.customer_siret, Weight::Regular),
            (
                "Référence client",
                order.customer_reference,
                Weight::Regular,
            ),
            ("Commandé par", Some(order.ordered_by), Weight::Regular),
        ];
        let label_width = 105.0;
        for (label, value, weight) in rows {
            let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
                continue;
            };
            let lines = self
                .fonts()
                .wrap(value, weight, BODY, CONTENT_WIDTH - label_width);
            for (i, line) in lines.into_iter().enumerate() {
                self.ensure(line_height(BODY));
                let y = self.flow.y;
                if i == 0 {
                    // On the value's baseline.
                    let label_top = y + layout::baseline(0.0, BODY) - layout::baseline(0.0, SMALL);
                    self.flow
                        .text_at(MARGIN_X, label_top, SMALL, Weight::Regular, MUTED, label);
                }
                self.flow
                    .line_at(MARGIN_X + label_width, y, BODY, INK, line);
                self.flow.y += line_height(BODY);
            }
            self.flow.y += 1.5;
        }
        self.flow.y += SECTION_GAP - 1.5;
    }

    /// The pickup and delivery blocks, side by side; a block longer than the
    /// page goes on on the next one.
    fn places(&mut self) {
        let gap = 14.0;
        let column = (CONTENT_WIDTH - gap) / 2.0;
        let padding = 8.0;
        let inner = column - 2.0 * padding;
        let mut columns = [
            (
                "Enlèvement",
                place_lines(self.fonts(), &self.order.pickup, inner),
            ),
            (
                "Livraison",
                place_lines(self.fonts(), &self.order.delivery, inner),
            ),
        ];
        let bar = 18.0;
        let mut first = true;
        loop {
            // The bars, with at least three lines under them.
            let wanted = columns
                .iter()
                .map(|(_, rows)| rows.iter().take(3).map(|r| r.height).sum::<f32>())
                .fold(0.0, f32::max);
            self.ensure(bar + 2.0 * padding + wanted);
            let top = self.flow.y;
            let available = self.flow.room() - bar - 2.0 * padding;
            let mut used: f32 = 0.0;
            for (index, (title, rows)) in columns.iter_mut().enumerate() {
                let x = MARGIN_X + index as f32 * (column + gap);
                self.flow.fill_rect(x, top, column, bar, ACCENT);
                let title = if first {
                    (*title).to_owned()
                } else {
                    format!("{title} (suite)")
                };
                self.flow
                    .text_at(x + padding, top + 3.0, 10.0, Weight::Bold, WHITE, &title);
                let mut y = top + bar + padding;
                let mut height = 0.0;
                let mut taken = 0;
                for row in rows.iter() {
                    // Always progress, even on a page too short for a row.
                    if taken > 0 && height + row.height > available {
                        break;
                    }
                    taken += 1;
                    height += row.height;
                }
                for row in rows.drain(..taken) {
                    if let Some(line) = row.line {
                        self.flow.line_at(x + padding, y, row.size, row.color, line);
                    }
                    y += row.height;
                }
                used = used.max(height);
            }
            let height = bar + 2.0 * padding + used;
            for index in 0..columns.len() {
                let x = MARGIN_X + index as f32 * (column + gap);
                self.flow.stroke_rect(x, top, column, height, 0.8, ACCENT);
            }
            self.flow.y = top + height;
            first = false;
            if columns.iter().all(|(_, rows)| rows.is_empty()) {
                break;
            }
            self.flow.new_page();
            self.continuation_header();
        }
        self.flow.y += SECTION_GAP;
    }

    fn vehicles(&mut self) {
        let count = self.order.vehicles.len();
        let title = match count {
            0 => "Véhicules".to_owned(),
            n => format!("Véhicules ({n})"),
        };
        let header = header_height();
        self.heading(&title, header + row_height(CELL_MAX_LINES));
        self.table_header();
        if count == 0 {
            let y = self.flow.y;
            self.flow.text_at(
                MARGIN_X + CELL_PADDING_X,
                y + CELL_PADDING_Y,
                BODY,
                Weight::Regular,
                MUTED,
                "Aucun véhicule",
            );
            self.flow.y += row_height(1);
        }
        for (index, vehicle) in self.order.vehicles.iter().enumerate() {
            let number = (index + 1).to_string();
            let cells: [(&str, Weight); 5] = [
                (&number, Weight::Regular),
                (vehicle.make, Weight::Regular),
                (vehicle.model, Weight::Regular),
                (vehicle.plate, Weight::Bold),
                (vehicle.vin.unwrap_or("—"), Weight::Regular),
            ];
            let lines: Vec<Vec<Shaped>> = cells
                .iter()
                .zip(COLUMNS)
                .map(|((text, weight), (_, width))| {
                    cell_lines(self.fonts(), text, *weight, width - 2.0 * CELL_PADDING_X)
                })
                .collect();
            let height = row_height(lines.iter().map(Vec::len).max().unwrap_or(1));
            if self.ensure(height) {
                let y = self.flow.y;
                self.flow.text_at(
                    MARGIN_X,
                    y,
                    11.0,
                    Weight::Bold,
                    ACCENT,
                    &format!("{title} (suite)"),
                );
                self.flow.y += line_height(11.0) + 4.0;
                self.table_header();
            }
            let top = self.flow.y;
            if index % 2 == 1 {
                self.flow
                    .fill_rect(MARGIN_X, top, CONTENT_WIDTH, height, ZEBRA);
            }
            let mut x = MARGIN_X;
            for (cell, (_, width)) in lines.into_iter().zip(COLUMNS) {
                let mut y = top + CELL_PADDING_Y;
                for line in cell {
                    self.flow.line_at(x + CELL_PADDING_X, y, BODY, INK, line);
                    y += line_height(BODY);
                }
                x += width;
            }
            self.flow.y = top + height;
            self.flow
                .hline(MARGIN_X, self.flow.y, CONTENT_WIDTH, 0.4, BORDER);
        }
        self.flow.y += SECTION_GAP;
    }

    fn table_header(&mut self) {
        let top = self.flow.y;
        let height = header_height();
        self.flow
            .fill_rect(MARGIN_X, top, CONTENT_WIDTH, height, ACCENT);
        let mut x = MARGIN_X;
        for (title, width) in COLUMNS {
            self.flow.text_at(
                x + CELL_PADDING_X,
                top + CELL_PADDING_Y,
                SMALL,
                Weight::Bold,
                WHITE,
                title,
            );
            x += width;
        }
        self.flow.y = top + height;
    }

    /// Distance and validity on the left, the amounts in a box on the right.
    fn totals(&mut self) {
        let order = self.order;
        let box_width: f32 = 220.0;
        let row: f32 = 18.0;
        let total_row: f32 = 24.0;
        let box_height = 2.0 * row + total_row;
        let left_width = CONTENT_WIDTH - box_width - 24.0;

        let distance = format!(
            "Distance estimée\u{a0}: {}\u{a0}km",
            integer_fr(u64::from(order.distance_km))
        );
        let validity = format!(
            "Devis valable jusqu'au {}",
            paris_date_fr(order.valid_until)
        );
        let mut left: Vec<Shaped> = Vec::new();
        for (text, weight) in [(distance, Weight::Regular), (validity, Weight::Bold)] {
            left.extend(self.fonts().wrap(&text, weight, BODY, left_width));
        }
        let left_height = left.len() as f32 * (line_height(BODY) + 3.0);
        self.ensure(box_height.max(left_height));

        let top = self.flow.y;
        let mut y = top + 4.0;
        for line in left {
            self.flow.line_at(MARGIN_X, y, BODY, INK, line);
            y += line_height(BODY) + 3.0;
        }

        let x = RIGHT - box_width;
        let padding = 8.0;
        let vat_label = format!("TVA {}\u{a0}%", rate_fr(VAT_RATE_BASIS_POINTS));
        let rows = [
            ("Total HT", order.amount_excl_tax),
            (vat_label.as_str(), order.vat),
        ];
        let mut row_top = top;
        for (label, amount) in rows {
            let text_top = row_top + (row - line_height(BODY)) / 2.0;
            self.flow
                .text_at(x + padding, text_top, BODY, Weight::Regular, INK, label);
            self.flow.text_right_at(
                RIGHT - padding,
                text_top,
                BODY,
                Weight::Regular,
                INK,
                &amount.format_fr(),
            );
            row_top += row;
            self.flow.hline(x, row_top, box_width, 0.4, BORDER);
        }
        self.flow
            .fill_rect(x, row_top, box_width, total_row, ACCENT);
        let total_size = 11.0;
        let text_top = row_top + (total_row - line_height(total_size)) / 2.0;
        self.flow.text_at(
            x + padding,
            text_top,
            total_size,
            Weight::Bold,
            WHITE,
            "Total TTC",
        );
        self.flow.text_right_at(
            RIGHT - padding,
            text_top,
            total_size,
            Weight::Bold,
            WHITE,
            &order.amount_incl_tax.format_fr(),
        );
        self.flow
            .stroke_rect(x, top, box_width, box_height, 0.8, ACCENT);
        self.flow.y = top + box_height.max(left_height) + SECTION_GAP;
    }

    fn conditions(&mut self) {
        self.heading("Conditions", 2.0 * line_height(SMALL));
        let indent = 10.0;
        for paragraph in CONDITIONS {
            let lines =
                self.fonts()
                    .wrap(paragraph, Weight::Regular, SMALL, CONTENT_WIDTH - indent);
            for (i, line) in lines.into_iter().enumerate() {
                self.ensure(line_height(SMALL));
                let y = self.flow.y;
                if i == 0 {
                    self.flow
                        .text_at(MARGIN_X, y, SMALL, Weight::Regular, MUTED, "•");
                }
                self.flow.line_at(MARGIN_X + indent, y, SMALL, INK, line);
                self.flow.y += line_height(SMALL);
            }
            self.flow.y += 3.0;
        }
    }
}

/// Height taken by the short header of the pages after the first.
const CONTINUATION_HEADER: f32 = 10.0 * LINE_HEIGHT + 4.0 + 14.0;

/// The vehicles table's columns: title and width (they add up to the
/// content width).
const COLUMNS: [(&str, f32); 5] = [
    ("N°", 30.0),
    ("Marque", 95.0),
    ("Modèle", 135.0),
    ("Immatriculation", 95.0),
    ("VIN", CONTENT_WIDTH - 30.0 - 95.0 - 135.0 - 95.0),
];
const CELL_PADDING_X: f32 = 5.0;
const CELL_PADDING_Y: f32 = 4.0;
/// Lines a table cell shows at most (more is cut with an ellipsis).
const CELL_MAX_LINES: usize = 3;

fn header_height() -> f32 {
    line_height(SMALL) + 2.0 * CELL_PADDING_Y
}

fn row_height(lines: usize) -> f32 {
    lines.max(1) as f32 * line_height(BODY) + 2.0 * CELL_PADDING_Y
}

/// A cell's text wrapped to its width, at most [`CELL_MAX_LINES`] lines.
fn cell_lines(fonts: &Fonts, text: &str, weight: Weight, width: f32) -> Vec<Shaped> {
    let mut lines = fonts.wrap(text, weight, BODY, width);
    if lines.len() > CELL_MAX_LINES {
        lines.truncate(CELL_MAX_LINES);
        if let Some(last) = lines.pop() {
            lines.push(with_ellipsis(fonts, last.text(), weight, width));
        }
    }
    lines
}

/// The text with `…` at its end, shortened until it fits.
fn with_ellipsis(fonts: &Fonts, text: &str, weight: Weight, width: f32) -> Shaped {
    let mut text = text.trim_end().to_owned();
    loop {
        let candidate = fonts.shape(&format!("{text}…"), weight);
        if candidate.width(BODY) <= width || text.is_empty() {
            return candidate;
        }
        text.pop();
        let trimmed = text.trim_end().len();
        text.truncate(trimmed);
    }
}

/// One line of a place block.
struct PlaceRow {
    line: Option<Shaped>,
    size: f32,
    color: Color,
    height: f32,
}

fn place_lines(fonts: &Fonts, place: &Place<'_>, width: f32) -> Vec<PlaceRow> {
    let mut rows = Vec::new();
    let add = |rows: &mut Vec<PlaceRow>, text: &str, weight: Weight, size: f32, color| {
        for line in fonts.wrap(text, weight, size, width) {
            rows.push(PlaceRow {
                line: Some(line),
                size,
                color,
                height: line_height(size),
            });
        }
    };

    add(&mut rows, place.label, Weight::Bold, 10.0, INK);
    if let Some(company) = present(place.company).filter(|c| *c != place.label.trim()) {
        add(&mut rows, company, Weight::Regular, BODY, INK);
    }
    add(&mut rows, place.street, Weight::Regular, BODY, INK);
    let city = format!("{} {}", place.postal_code.trim(), place.city.trim());
    add(&mut rows, &city, Weight::Regular, BODY, INK);
    add(
        &mut rows,
        country_fr(place.country),
        Weight::Regular,
        BODY,
        INK,
    );

    let contact = match (present(place.contact_name), present(place.contact_phone)) {
        (Some(name), Some(phone)) => Some(format!("Contact\u{a0}: {name} — {phone}")),
        (Some(name), None) => Some(format!("Contact\u{a0}: {name}")),
        (None, Some(phone)) => Some(format!("Téléphone\u{a0}: {phone}")),
        (None, None) => None,
    };
    let instructions =
        present(place.instructions).map(|text| format!("Instructions\u{a0}: {text}"));
    if contact.is_some() || instructions.is_some() {
        rows.push(PlaceRow {
            line: None,
            size: BODY,
            color: INK,
            height: 5.0,
        });
    }
    if let Some(contact) = contact {
        add(&mut rows, &contact, Weight::Regular, BODY, INK);
    }
    if let Some(instructions) = instructions {
        add(&mut rows, &instructions, Weight::Regular, SMALL, MUTED);
    }
    rows
}

/// The value, trimmed, if there is one.
fn present(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// A VAT rate in basis points, the French way: `20`, `5,5`.
fn rate_fr(basis_points: i64) -> String {
    let whole = basis_points / 100;
    let fraction = (basis_points % 100).abs();
    match fraction {
        0 => whole.to_string(),
        f if f % 10 == 0 => format!("{whole},{}", f / 10),
        f => format!("{whole},{f:02}"),
    }
}

/// The footer of every page: the document and "Page n/N".
fn add_footers(fonts: &'static Fonts, pages: &mut [Page], order: &PurchaseOrder<'_>) {
    let total = pages.len();
    let mut flow = Flow::new(fonts, TOP, BOTTOM);
    flow.pages.clear();
    for (index, page) in pages.iter_mut().enumerate() {
        flow.pages.push(std::mem::take(page));
        flow.hline(MARGIN_X, FOOTER_RULE, CONTENT_WIDTH, 0.5, BORDER);
        let top = FOOTER_RULE + 5.0;
        let number = format!("Page {}/{}", index + 1, total);
        let number_width = flow.text_right_at(RIGHT, top, 8.0, Weight::Regular, MUTED, &number);
        let left = format!(
            "STVA — Bon de commande {} — {}",
            order.order_number,
            paris_date_fr(order.issued_at)
        );
        if let Some(line) = fonts
            .wrap(
                &left,
                Weight::Regular,
                8.0,
                CONTENT_WIDTH - number_width - 16.0,
            )
            .into_iter()
            .next()
        {
            flow.line_at(MARGIN_X, top, 8.0, MUTED, line);
        }
        if let Some(done) = flow.pages.pop() {
            *page = done;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const PLATES: [&str; 12] = [
        "AB-123-CD",
        "EF-456-GH",
        "JK-789-LM",
        "NP-012-QR",
        "ST-345-UV",
        "WX-678-YZ",
        "BA-901-DC",
        "FE-234-HG",
        "KJ-567-ML",
        "PN-890-RQ",
        "TS-135-VU",
        "XW-246-ZY",
    ];

    fn vehicles(count: usize) -> Vec<VehicleLine<'static>> {
        let models = [
            ("Renault", "Clio V", Some("VF1RJA00067123456")),
            ("Peugeot", "308 SW", None),
            (
                "Citroën",
                "C5 Aircross Hybride rechargeable",
                Some("VF7ABCDEF12345678"),
            ),
        ];
        (0..count)
            .map(|i| {
                let (make, model, vin) = models[i % models.len()];
                VehicleLine {
                    make,
                    model,
                    plate: PLATES[i % PLATES.len()],
                    vin,
                }
            })
            .collect()
    }

    fn order<'a>(vehicles: &'a [VehicleLine<'a>]) -> PurchaseOrder<'a> {
        let amount = Money::from_cents(123_456);
        PurchaseOrder {
            order_number: "BC-2026-000123",
            issued_at: datetime!(2026-11-30 10:15 UTC),
            customer_name: "Garage Économique de l'Étang SARL",
            customer_siret: Some("123 456 789 00012"),
            customer_reference: Some("PO-4451/B"),
            ordered_by: "Hélène Dupré",
            pickup: Place {
                label: "Garage Martin",
                company: Some("Martin Automobiles SAS"),
                street: "12 rue des Lilas\nZone artisanale du Pré-Vert",
                postal_code: "69007",
                city: "Lyon",
                country: "France",
                contact_name: Some("Jean Martin"),
                contact_phone: Some("06 12 34 56 78"),
                instructions: Some(
                    "Portail au fond de la cour, code 4521. Enlèvement possible du lundi au \
                     vendredi de 8 h à 17 h ; prévenir la veille.",
                ),
            },
            delivery: Place {
                label: "Concession Bordeaux Lac",
                company: None,
                street: "5 avenue de l'Hippodrome",
                postal_code: "33300",
                city: "Bordeaux",
                country: "FR",
                contact_name: Some("Zoé Lefèvre"),
                contact_phone: None,
                instructions: None,
            },
            vehicles,
            amount_excl_tax: amount,
            vat: amount.vat(),
            amount_incl_tax: amount.with_vat(),
            distance_km: 1_234,
            valid_until: datetime!(2026-12-30 23:00 UTC),
            status_label: "Devis",
        }
    }

    fn fonts() -> &'static Fonts {
        layout::fonts().unwrap()
    }

    fn extract(pdf: &[u8]) -> String {
        pdf_extract::extract_text_from_mem(pdf).unwrap()
    }

    #[test]
    fn renders_a_pdf() {
        let vehicles = vehicles(3);
        let pdf = render(&order(&vehicles)).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.trim_ascii_end().ends_with(b"%%EOF"));
        // Fonts are subset: a few tens of kilobytes, not the 800 kB of TTF.
        assert!(pdf.len() < 100_000, "{} bytes", pdf.len());
    }

    #[test]
    fn rendering_is_deterministic() {
        let vehicles = vehicles(12);
        let first = render(&order(&vehicles)).unwrap();
        let second = render(&order(&vehicles)).unwrap();
        assert!(first == second, "two renderings differ");
        // The creation date is the order's, not the clock's.
        let text = String::from_utf8_lossy(&first);
        assert!(text.contains("D:20261130101500"), "no creation date");
    }

    #[test]
    fn page_counts() {
        for (count, pages) in [(0, 1), (1, 1), (3, 1), (12, 2), (40, 3), (100, 5)] {
            let vehicles = vehicles(count);
            let laid_out = lay_out(fonts(), &order(&vehicles));
            assert_eq!(laid_out.len(), pages, "{count} vehicles");
        }
    }

    #[test]
    fn the_text_extracts_exactly() {
        let vehicles = vehicles(12);
        let order = order(&vehicles);
        let text = extract(&render(&order).unwrap());
        for expected in [
            "Bon de commande",
            "N°\u{a0}BC-2026-000123",
            "30 novembre 2026",
            "Garage Économique de l'Étang SARL",
            "123 456 789 00012",
            "PO-4451/B",
            "Hélène Dupré",
            "Enlèvement",
            "Livraison",
            "Véhicules (12)",
            "Citroën",
            "Immatriculation",
            "VF1RJA00067123456",
            "Jean Martin — 06 12 34 56 78",
            "Zoé Lefèvre",
            "Total HT",
            "1\u{202f}234,56\u{a0}€",
            "TVA 20\u{a0}%",
            "246,91\u{a0}€",
            "Total TTC",
            "1\u{202f}481,47\u{a0}€",
            "Distance estimée\u{a0}: 1\u{202f}234\u{a0}km",
            "Devis valable jusqu'au 31 décembre 2026",
            "procès-verbal de livraison",
            "Page 1/2",
            "Page 2/2",
        ] {
            assert!(text.contains(expected), "{expected:?} not in:\n{text}");
        }
        assert_eq!(order.amount_incl_tax.format_fr(), "1\u{202f}481,47\u{a0}€");
        // The country code is printed as its name.
        let after_city = text.split("33300 Bordeaux").nth(1).unwrap_or("");
        assert!(
            after_city.trim_start().starts_with("France"),
            "{after_city}"
        );
        for plate in PLATES {
            assert_eq!(text.matches(plate).count(), 1, "{plate}");
        }
    }

    #[test]
    fn one_vehicle_fits_on_one_page() {
        let vehicles = vehicles(1);
        let text = extract(&render(&order(&vehicles)).unwrap());
        assert!(text.contains("AB-123-CD"));
        assert!(text.contains("Véhicules (1)"));
        assert!(text.contains("Page 1/1"));
    }

    #[test]
    fn many_vehicles_go_on_over_pages() {
        let vehicles: Vec<VehicleLine<'_>> = vehicles(100);
        let order = order(&vehicles);
        let pages = lay_out(fonts(), &order);
        let text = extract(&render(&order).unwrap());
        let total = pages.len();
        for page in 1..=total {
            assert!(text.contains(&format!("Page {page}/{total}")));
        }
        assert!(text.contains("Véhicules (100) (suite)"));
        for plate in PLATES {
            let expected = vehicles.iter().filter(|v| v.plate == plate).count();
            assert_eq!(text.matches(plate).count(), expected, "{plate}");
        }
    }

    /// Nothing is drawn outside the page's margins, nor over the footer, even
    /// with absurdly long texts.
    #[test]
    fn nothing_overflows_the_page() {
        let long = "Très long texte d'instructions avec des mots ordinaires ".repeat(60);
        let huge_word = "X".repeat(300);
        let mut many = vehicles(30);
        many[4].model = &huge_word;
        many[5].make = &long;
        let mut order = order(&many);
        order.customer_name = &long;
        order.pickup.instructions = Some(&long);
        order.delivery.street = &huge_word;
        order.status_label = "Validée par le service commercial après vérification";
        order.amount_incl_tax = Money::from_cents(i64::MIN);
        let pages = lay_out(fonts(), &order);
        assert!(pages.len() >= 3);
        for (index, page) in pages.iter().enumerate() {
            for op in &page.ops {
                let (left, top, right, bottom) = op.bounds();
                assert!(
                    left >= MARGIN_X - 1.0 && right <= RIGHT + 1.0,
                    "page {index}: {op:?}"
                );
                assert!(
                    top >= TOP - 2.0 && bottom <= PAGE_HEIGHT - 20.0,
                    "page {index}: {op:?}"
                );
                if top < FOOTER_RULE - 1.0 {
                    assert!(bottom <= BOTTOM + 1.0, "page {index}: {op:?}");
                }
            }
        }
        // And it still renders.
        assert!(render(&order).unwrap().starts_with(b"%PDF-"));
    }

    #[test]
    fn vat_rates_in_french() {
        assert_eq!(rate_fr(2000), "20");
        assert_eq!(rate_fr(550), "5,5");
        assert_eq!(rate_fr(210), "2,1");
        assert_eq!(rate_fr(1025), "10,25");
    }

    /// Writes a sample to `$STVA_PDF_SAMPLE` when set (to look at it).
    #[test]
    fn write_sample_when_asked() {
        let Ok(path) = std::env::var("STVA_PDF_SAMPLE") else {
            return;
        };
        let count = std::env::var("STVA_PDF_VEHICLES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(12);
        let vehicles = vehicles(count);
        let started = std::time::Instant::now();
        let pdf = render(&order(&vehicles)).unwrap();
        let elapsed = started.elapsed();
        let started = std::time::Instant::now();
        let runs = 20;
        for _ in 0..runs {
            render(&order(&vehicles)).unwrap();
        }
        eprintln!(
            "{count} vehicles: {} bytes, first render {:?}, then {:?} each",
            pdf.len(),
            elapsed,
            started.elapsed() / runs
        );
        std::fs::write(path, pdf).unwrap();
    }
}
