//! A small layout engine for business documents, on top of `krilla`.
//!
//! Text is shaped here with `rustybuzz` (the shaper `krilla` itself uses),
//! so that what is measured for wrapping and alignment is exactly what is
//! drawn. A document is laid out into a display list of [`Op`]s per page
//! (so the page count is known before the footers "Page 1/2" are written,
//! and tests can check that nothing leaves the page), then rendered.
//!
//! Coordinates are PDF points (1/72 inch), from the top-left corner of the
//! page, y growing downwards.

use std::sync::LazyLock;

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::{Document, SerializeSettings};
use rustybuzz::{Direction, ShapePlan, UnicodeBuffer, script};

use super::DocumentError;

/// A4 width, in points (210 mm).
pub(crate) const PAGE_WIDTH: f32 = 595.276;
/// A4 height, in points (297 mm).
pub(crate) const PAGE_HEIGHT: f32 = 841.89;

/// Line height, as a multiple of the font size.
pub(crate) const LINE_HEIGHT: f32 = 1.25;
/// Ascender and descender of Liberation Sans (hhea), in em.
const ASCENT: f32 = 0.905;
const DESCENT: f32 = 0.212;

static REGULAR_TTF: &[u8] = include_bytes!("../../data/fonts/LiberationSans-Regular.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../../data/fonts/LiberationSans-Bold.ttf");

/// The fonts, parsed once per process (parsing and hashing them costs about
/// as much as laying out a whole document).
static FONTS: LazyLock<Result<Fonts, &'static str>> = LazyLock::new(Fonts::load);

/// The embedded fonts, ready to shape and to draw.
pub(crate) fn fonts() -> Result<&'static Fonts, DocumentError> {
    FONTS.as_ref().map_err(|name| DocumentError::Font(name))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

/// An sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Color(pub u8, pub u8, pub u8);

impl Color {
    fn paint(self) -> krilla::paint::Paint {
        rgb::Color::new(self.0, self.1, self.2).into()
    }
}

struct Face {
    shaper: rustybuzz::Face<'static>,
    /// The shaping plan for Latin text, left to right: building a plan costs
    /// more than shaping a line, so it is made once.
    latin: ShapePlan,
    pdf: Font,
    units_per_em: f32,
}

impl Face {
    fn load(data: &'static [u8], name: &'static str) -> Result<Face, &'static str> {
        let shaper = rustybuzz::Face::from_slice(data, 0).ok_or(name)?;
        let pdf = Font::new(data.into(), 0).ok_or(name)?;
        let units_per_em = shaper.units_per_em() as f32;
        if units_per_em <= 0.0 {
            return Err(name);
        }
        let latin = ShapePlan::new(
            &shaper,
            Direction::LeftToRight,
            Some(script::LATIN),
            None,
            &[],
        );
        Ok(Face {
            latin,
            shaper,
            pdf,
            units_per_em,
        })
    }
}

/// The regular and bold faces of the document font.
pub(crate) struct Fonts {
    regular: Face,
    bold: Face,
}

impl Fonts {
    fn load() -> Result<Fonts, &'static str> {
        Ok(Fonts {
            regular: Face::load(REGULAR_TTF, "LiberationSans-Regular.ttf")?,
            bold: Face::load(BOLD_TTF, "LiberationSans-Bold.ttf")?,
        })
    }

    fn face(&self, weight: Weight) -> &Face {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    /// Shapes one line of text (left to right, no line breaks).
    pub(crate) fn shape(&self, text: &str, weight: Weight) -> Shaped {
        let text = clean_line(text);
        if text.is_empty() {
            return Shaped::default();
        }
        let face = self.face(weight);
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(&text);
        buffer.set_direction(Direction::LeftToRight);
        buffer.guess_segment_properties();
        let guessed = buffer.script();
        let output = if [
            script::LATIN,
            script::COMMON,
            script::INHERITED,
            script::UNKNOWN,
        ]
        .contains(&guessed)
        {
            // Digits and punctuation alone shape the same as Latin.
            buffer.set_script(script::LATIN);
            rustybuzz::shape_with_plan(&face.shaper, &face.latin, buffer)
        } else {
            rustybuzz::shape(&face.shaper, &[], buffer)
        };
        let infos = output.glyph_infos();
        let positions = output.glyph_positions();
        let upem = face.units_per_em;
        let mut glyphs = Vec::with_capacity(infos.len());
        let mut advance = 0.0;
        for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
            let start = info.cluster as usize;
            // Left to right: clusters never decrease; the cluster ends where
            // the next different one starts.
            let end = infos[i + 1..]
                .iter()
                .map(|next| next.cluster as usize)
                .find(|&next| next != start)
                .unwrap_or(text.len());
            let x_advance = pos.x_advance as f32 / upem;
            advance += x_advance;
            glyphs.push(KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                x_advance,
                pos.x_offset as f32 / upem,
                pos.y_offset as f32 / upem,
                pos.y_advance as f32 / upem,
                start..end,
                None,
            ));
        }
        Shaped {
            text,
            glyphs,
            advance,
            weight,
        }
    }

    /// The width of one line of text, in points.
    pub(crate) fn width(&self, text: &str, weight: Weight, size: f32) -> f32 {
        self.shape(text, weight).width(size)
    }

    /// Breaks a text into lines no wider than `max_width` points: at spaces
    /// (never at no-break spaces), at the text's own line breaks, and inside
    /// a word only when the word alone is too wide. Blank lines are kept; an
    /// empty text gives no line.
    pub(crate) fn wrap(
        &self,
        text: &str,
        weight: Weight,
        size: f32,
        max_width: f32,
    ) -> Vec<Shaped> {
        let max_em = (max_width / size).max(0.0);
        let space = self.shape(" ", weight);
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let text = text.trim_matches('\n');
        let mut lines = Vec::new();
        if text.trim().is_empty() {
            return lines;
        }
        for paragraph in text.split('\n') {
            let mut current: Option<Shaped> = None;
            for word in paragraph.split([' ', '\t']).filter(|w| !w.is_empty()) {
                for piece in self.shape(word, weight).split_to_width(max_em) {
                    current = Some(match current.take() {
                        None => piece,
                        Some(line) if line.advance + space.advance + piece.advance <= max_em => {
                            line.joined(&space).joined(&piece)
                        }
                        Some(line) => {
                            lines.push(line);
                            piece
                        }
                    });
                }
            }
            lines.push(current.unwrap_or_else(|| Shaped {
                weight,
                ..Shaped::default()
            }));
        }
        lines
    }
}

/// Control characters (tabs, stray line breaks) would draw as empty boxes:
/// they become spaces.
fn clean_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// A line of shaped text: its glyphs, with the text they come from.
#[derive(Clone, Debug)]
pub(crate) struct Shaped {
    text: String,
    glyphs: Vec<KrillaGlyph>,
    /// Total advance, in em.
    advance: f32,
    weight: Weight,
}

impl Default for Shaped {
    fn default() -> Self {
        Shaped {
            text: String::new(),
            glyphs: Vec::new(),
            advance: 0.0,
            weight: Weight::Regular,
        }
    }
}

impl Shaped {
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The width at this font size, in points.
    pub(crate) fn width(&self, size: f32) -> f32 {
        self.advance * size
    }

    /// This line followed by another (same weight).
    fn joined(mut self, other: &Shaped) -> Shaped {
        let offset = self.text.len();
        self.text.push_str(&other.text);
        self.glyphs.extend(other.glyphs.iter().map(|glyph| {
            let mut glyph = glyph.clone();
            glyph.text_range = glyph.text_range.start + offset..glyph.text_range.end + offset;
            glyph
        }));
        self.advance += other.advance;
        self
    }

    /// Cuts a too-wide word into pieces no wider than `max_em` (between
    /// clusters, at least one cluster per piece).
    fn split_to_width(self, max_em: f32) -> Vec<Shaped> {
        if self.advance <= max_em || self.glyphs.len() < 2 {
            return vec![self];
        }
        let mut pieces = Vec::new();
        let mut start_glyph = 0;
        let mut width = 0.0;
        for (i, glyph) in self.glyphs.iter().enumerate() {
            let cluster_start = i == 0 || self.glyphs[i - 1].text_range != glyph.text_range;
            if cluster_start && i > start_glyph && width + glyph.x_advance > max_em {
                pieces.push(self.slice(start_glyph, i));
                start_glyph = i;
                width = 0.0;
            }
            width += glyph.x_advance;
        }
        pieces.push(self.slice(start_glyph, self.glyphs.len()));
        pieces
    }

    /// The glyphs `from..to` (cluster boundaries) as a line of their own.
    fn slice(&self, from: usize, to: usize) -> Shaped {
        let glyphs = &self.glyphs[from..to];
        let text_start = glyphs.first().map_or(0, |g| g.text_range.start);
        let text_end = glyphs.last().map_or(0, |g| g.text_range.end);
        Shaped {
            text: self.text.get(text_start..text_end).unwrap_or("").to_owned(),
            glyphs: glyphs
                .iter()
                .map(|glyph| {
                    let mut glyph = glyph.clone();
                    glyph.text_range =
                        glyph.text_range.start - text_start..glyph.text_range.end - text_start;
                    glyph
                })
                .collect(),
            advance: glyphs.iter().map(|g| g.x_advance).sum(),
            weight: self.weight,
        }
    }
}

/// One drawing operation of a page.
#[derive(Clone, Debug)]
pub(crate) enum Op {
    /// A line of text; `x` is its left edge and `baseline` its baseline.
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        color: Color,
        line: Shaped,
    },
    /// A filled rectangle.
    FillRect {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        color: Color,
    },
    /// A straight line.
    Line {
        from: (f32, f32),
        to: (f32, f32),
        width: f32,
        color: Color,
    },
    /// The outline of a rectangle.
    StrokeRect {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        line_width: f32,
        color: Color,
    },
}

impl Op {
    /// The area the operation paints: (left, top, right, bottom).
    #[cfg(test)]
    pub(crate) fn bounds(&self) -> (f32, f32, f32, f32) {
        match self {
            Op::Text {
                x,
                baseline,
                size,
                line,
                ..
            } => (
                *x,
                baseline - ASCENT * size,
                x + line.width(*size),
                baseline + DESCENT * size,
            ),
            Op::FillRect {
                x,
                y,
                width,
                height,
                ..
            } => (*x, *y, x + width, y + height),
            Op::StrokeRect {
                x,
                y,
                width,
                height,
                line_width,
                ..
            } => (
                x - line_width / 2.0,
                y - line_width / 2.0,
                x + width + line_width / 2.0,
                y + height + line_width / 2.0,
            ),
            Op::Line {
                from, to, width, ..
            } => (
                from.0.min(to.0) - width / 2.0,
                from.1.min(to.1) - width / 2.0,
                from.0.max(to.0) + width / 2.0,
                from.1.max(to.1) + width / 2.0,
            ),
        }
    }
}

/// The display list of one page.
#[derive(Clone, Debug, Default)]
pub(crate) struct Page {
    pub ops: Vec<Op>,
}

/// The text's baseline for a line box whose top is `top`.
pub(crate) fn baseline(top: f32, size: f32) -> f32 {
    let leading = (LINE_HEIGHT - ASCENT - DESCENT) * size / 2.0;
    top + leading + ASCENT * size
}

/// Pages being filled from top to bottom.
pub(crate) struct Flow {
    pub fonts: &'static Fonts,
    pub pages: Vec<Page>,
    /// The current vertical position on the last page.
    pub y: f32,
    /// Where content starts on a new page.
    pub top: f32,
    /// Where content must stop (the footer lies below).
    pub bottom: f32,
}

impl Flow {
    pub(crate) fn new(fonts: &'static Fonts, top: f32, bottom: f32) -> Flow {
        Flow {
            fonts,
            pages: vec![Page::default()],
            y: top,
            top,
            bottom,
        }
    }

    /// Room left on the current page, in points.
    pub(crate) fn room(&self) -> f32 {
        self.bottom - self.y
    }

    /// Starts a new page; the cursor goes to its top.
    pub(crate) fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = self.top;
    }

    pub(crate) fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.ops.push(op);
        }
    }

    /// Draws a shaped line with its box's top at `top`.
    pub(crate) fn line_at(&mut self, x: f32, top: f32, size: f32, color: Color, line: Shaped) {
        if line.glyphs.is_empty() {
            return;
        }
        self.push(Op::Text {
            x,
            baseline: baseline(top, size),
            size,
            color,
            line,
        });
    }

    /// Draws one line of text with its box's top at `top`; returns its width.
    pub(crate) fn text_at(
        &mut self,
        x: f32,
        top: f32,
        size: f32,
        weight: Weight,
        color: Color,
        text: &str,
    ) -> f32 {
        let line = self.fonts.shape(text, weight);
        let width = line.width(size);
        self.line_at(x, top, size, color, line);
        width
    }

    /// Draws one line of text ending at `right`; returns its width.
    pub(crate) fn text_right_at(
        &mut self,
        right: f32,
        top: f32,
        size: f32,
        weight: Weight,
        color: Color,
        text: &str,
    ) -> f32 {
        let line = self.fonts.shape(text, weight);
        let width = line.width(size);
        self.line_at(right - width, top, size, color, line);
        width
    }

    pub(crate) fn fill_rect(&mut self, x: f32, y: f32, width: f32, height: f32, color: Color) {
        self.push(Op::FillRect {
            x,
            y,
            width,
            height,
            color,
        });
    }

    pub(crate) fn stroke_rect(
        &mut self,
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        line_width: f32,
        color: Color,
    ) {
        self.push(Op::StrokeRect {
            x,
            y,
            width,
            height,
            line_width,
            color,
        });
    }

    pub(crate) fn hline(&mut self, x: f32, y: f32, length: f32, width: f32, color: Color) {
        self.push(Op::Line {
            from: (x, y),
            to: (x + length, y),
            width,
            color,
        });
    }
}

/// Document-level information written in the PDF's metadata.
pub(crate) struct Info {
    pub title: String,
    pub document_id: String,
    pub created: time::OffsetDateTime,
}

/// Renders laid-out pages (A4) as a PDF.
pub(crate) fn render_pdf(
    fonts: &Fonts,
    pages: &[Page],
    info: &Info,
) -> Result<Vec<u8>, DocumentError> {
    let mut document = Document::new_with(SerializeSettings::default());
    document.set_metadata(metadata(info));
    for page in pages {
        let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
            .ok_or_else(|| DocumentError::Pdf("invalid page size".into()))?;
        let mut pdf_page = document.start_page_with(settings);
        let mut surface = pdf_page.surface();
        for op in &page.ops {
            match op {
                Op::Text {
                    x,
                    baseline,
                    size,
                    color,
                    line,
                } => {
                    surface.set_stroke(None);
                    surface.set_fill(Some(fill(*color)));
                    let font = fonts.face(line.weight).pdf.clone();
                    surface.draw_glyphs(
                        Point::from_xy(*x, *baseline),
                        &line.glyphs,
                        font,
                        &line.text,
                        *size,
                        false,
                    );
                }
                Op::FillRect {
                    x,
                    y,
                    width,
                    height,
                    color,
                } => {
                    if let Some(path) = rect_path(*x, *y, *width, *height) {
                        surface.set_stroke(None);
                        surface.set_fill(Some(fill(*color)));
                        surface.draw_path(&path);
                    }
                }
                Op::StrokeRect {
                    x,
                    y,
                    width,
                    height,
                    line_width,
                    color,
                } => {
                    if let Some(path) = rect_path(*x, *y, *width, *height) {
                        surface.set_fill(None);
                        surface.set_stroke(Some(stroke(*color, *line_width)));
                        surface.draw_path(&path);
                    }
                }
                Op::Line {
                    from,
                    to,
                    width,
                    color,
                } => {
                    let mut builder = PathBuilder::new();
                    builder.move_to(from.0, from.1);
                    builder.line_to(to.0, to.1);
                    if let Some(path) = builder.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(stroke(*color, *width)));
                        surface.draw_path(&path);
                    }
                }
            }
        }
        surface.finish();
        pdf_page.finish();
    }
    document
        .finish()
        .map_err(|error| DocumentError::Pdf(error.to_string()))
}

fn fill(color: Color) -> Fill {
    Fill {
        paint: color.paint(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

fn stroke(color: Color, width: f32) -> Stroke {
    Stroke {
        paint: color.paint(),
        width,
        ..Stroke::default()
    }
}

fn rect_path(x: f32, y: f32, width: f32, height: f32) -> Option<krilla::geom::Path> {
    let mut builder = PathBuilder::new();
    builder.push_rect(Rect::from_xywh(x, y, width, height)?);
    builder.finish()
}

fn metadata(info: &Info) -> Metadata {
    let mut metadata = Metadata::new()
        .title(info.title.clone())
        .creator("STVA — portail client".into())
        .producer("STVA".into())
        .language("fr-FR".into())
        .document_id(info.document_id.clone());
    if let Some(date) = pdf_date(info.created) {
        metadata = metadata.creation_date(date);
    }
    metadata
}

/// The creation date, as given (with its offset): it comes from the
/// document's data, never from the clock, so the output is reproducible.
fn pdf_date(at: time::OffsetDateTime) -> Option<krilla::metadata::DateTime> {
    let offset = at.offset();
    let date = krilla::metadata::DateTime::new(u16::try_from(at.year()).ok()?)
        .month(u8::from(at.month()))
        .day(at.day())
        .hour(at.hour())
        .minute(at.minute())
        .second(at.second())
        .utc_offset_hour(offset.whole_hours())
        .utc_offset_minute(offset.minutes_past_hour().unsigned_abs());
    Some(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> &'static Fonts {
        super::fonts().unwrap()
    }

    #[test]
    fn shaping_keeps_the_text_and_measures_it() {
        let line = fonts().shape("Véhicules — 1\u{202f}234,56\u{a0}€", Weight::Regular);
        assert_eq!(line.text(), "Véhicules — 1\u{202f}234,56\u{a0}€");
        assert!(line.width(10.0) > 50.0 && line.width(10.0) < 200.0);
        // Every byte of the text belongs to exactly one glyph's cluster.
        let mut covered = 0;
        for glyph in &line.glyphs {
            if glyph.text_range.start == covered {
                covered = glyph.text_range.end;
            }
            assert!(glyph.text_range.end <= line.text().len());
        }
        assert_eq!(covered, line.text().len());
        // Bold is wider.
        let bold = fonts().shape("Véhicules", Weight::Bold);
        assert!(bold.width(10.0) > fonts().width("Véhicules", Weight::Regular, 10.0));
    }

    #[test]
    fn wrapping_fits_and_keeps_every_word() {
        let text = "Les véhicules doivent être accessibles et leurs clés disponibles \
                    au moment de l'enlèvement.\nSeconde ligne\n\nAprès un blanc";
        let lines = fonts().wrap(text, Weight::Regular, 10.0, 120.0);
        assert!(lines.len() > 4, "{lines:?}");
        for line in &lines {
            assert!(line.width(10.0) <= 120.0, "{}", line.text());
        }
        let joined: Vec<&str> = lines.iter().map(Shaped::text).collect();
        let words: Vec<&str> = text.split_whitespace().collect();
        let got: Vec<&str> = joined.iter().flat_map(|l| l.split_whitespace()).collect();
        assert_eq!(got, words);
        assert!(joined.contains(&""), "the blank line is kept: {joined:?}");
        assert!(
            fonts()
                .wrap("  \n ", Weight::Regular, 10.0, 100.0)
                .is_empty()
        );
    }

    #[test]
    fn wrapping_cuts_words_longer_than_the_line() {
        let word = "W".repeat(200);
        let lines = fonts().wrap(&word, Weight::Bold, 10.0, 100.0);
        assert!(lines.len() > 5);
        let mut rebuilt = String::new();
        for line in &lines {
            assert!(line.width(10.0) <= 100.0);
            assert!(!line.text().is_empty());
            for glyph in &line.glyphs {
                assert!(glyph.text_range.end <= line.text().len());
            }
            rebuilt.push_str(line.text());
        }
        assert_eq!(rebuilt, word);
        // Narrower than one letter: one letter per line, no endless loop.
        let lines = fonts().wrap("abc", Weight::Regular, 10.0, 1.0);
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn other_scripts_shape_without_panicking() {
        // Greek and Cyrillic are in the font; Arabic and Chinese are not (they
        // draw as empty boxes but keep their text for copy and search).
        for text in [
            "Łódź Ελλάδα Москва",
            "شركة النقل",
            "汽车运输",
            "123",
            "—",
            "\u{301}e",
        ] {
            let line = fonts().shape(text, Weight::Regular);
            assert_eq!(line.text(), text);
            assert!(!line.glyphs.is_empty());
            assert!(line.glyphs.iter().all(|g| g.text_range.end <= text.len()));
        }
        assert_eq!(fonts().shape("a\tb\u{7}", Weight::Bold).text(), "a b ");
    }

    #[test]
    fn no_break_spaces_do_not_break() {
        let amount = "1\u{202f}234\u{202f}567,89\u{a0}€";
        let width = fonts().width(amount, Weight::Regular, 10.0) + 1.0;
        let lines = fonts().wrap(&format!("Total {amount}"), Weight::Regular, 10.0, width);
        let lines: Vec<&str> = lines.iter().map(Shaped::text).collect();
        assert_eq!(lines, ["Total", amount]);
    }
}
