//! The records of an XML export: each `<record>` element (at any depth),
//! as the list of its values keyed by their path below the record
//! (`marque`, `photos/photo`, `@id`, `prix/@devise`). Text and CDATA are
//! joined; entities resolved. A document cut short or broken part way
//! keeps the records closed before the break.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::stock::fold::fold_alphanumeric;

use super::FeedError;

/// Deepest nesting read (a stock export has three or four levels).
const MAX_DEPTH: usize = 64;

#[derive(Debug, Default)]
pub(crate) struct XmlRecord {
    pub values: Vec<(String, String)>,
}

#[derive(Debug, Default)]
pub(crate) struct XmlRecords {
    pub records: Vec<XmlRecord>,
    /// Why reading stopped before the end of the document, with the
    /// record it stopped in (its values so far), if any.
    pub broken: Option<(String, Option<XmlRecord>)>,
}

struct Open {
    name: String,
    text: String,
}

fn local_name(start: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(start.local_name().as_ref()).into_owned()
}

fn entity(name: &str) -> Option<&'static str> {
    Some(match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        _ => return None,
    })
}

/// Reads every `record` element of `text`.
pub(crate) fn records(text: &str, record: &str) -> Result<XmlRecords, FeedError> {
    let wanted = fold_alphanumeric(record);
    let mut reader = Reader::from_str(text);
    let mut out = XmlRecords::default();
    let mut stack: Vec<Open> = Vec::new();
    // Depth of the open record element in `stack`, and its values.
    let mut current: Option<(usize, XmlRecord)> = None;
    let mut root_seen = false;
    let mut root_children = 0usize;

    let path = |stack: &[Open], from: usize| -> String {
        stack
            .get(from + 1..)
            .unwrap_or_default()
            .iter()
            .map(|o| o.name.as_str())
            .collect::<Vec<_>>()
            .join("/")
    };
    let attributes = |start: &BytesStart<'_>, prefix: &str, into: &mut XmlRecord| {
        for attribute in start.attributes().flatten() {
            let name = String::from_utf8_lossy(attribute.key.local_name().as_ref()).into_owned();
            if let Ok(value) = attribute.unescape_value() {
                let key = if prefix.is_empty() {
                    format!("@{name}")
                } else {
                    format!("{prefix}/@{name}")
                };
                into.values.push((key, value.trim().to_owned()));
            }
        }
    };

    loop {
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(err) => {
                let at = reader.error_position();
                out.broken = Some((
                    format!("le document XML est illisible ou tronqué à l'octet {at} ({err})."),
                    current.take().map(|(_, r)| r),
                ));
                break;
            }
        };
        match event {
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(FeedError::NotAFeed("XML trop imbriqué.".into()));
                }
                if stack.len() == 1 {
                    root_children += 1;
                }
                root_seen = true;
                let name = local_name(&start);
                stack.push(Open {
                    name: name.clone(),
                    text: String::new(),
                });
                match &mut current {
                    None if fold_alphanumeric(&name) == wanted => {
                        let mut values = XmlRecord::default();
                        attributes(&start, "", &mut values);
                        current = Some((stack.len() - 1, values));
                    }
                    Some((depth, values)) => {
                        let prefix = path(&stack, *depth);
                        attributes(&start, &prefix, values);
                    }
                    None => {}
                }
            }
            Event::Empty(start) => {
                if stack.len() == 1 {
                    root_children += 1;
                }
                root_seen = true;
                let name = local_name(&start);
                match &mut current {
                    None if fold_alphanumeric(&name) == wanted => {
                        let mut values = XmlRecord::default();
                        attributes(&start, "", &mut values);
                        out.records.push(values);
                    }
                    Some((depth, values)) => {
                        let mut prefix = path(&stack, *depth);
                        if !prefix.is_empty() {
                            prefix.push('/');
                        }
                        prefix.push_str(&name);
                        attributes(&start, &prefix, values);
                    }
                    None => {}
                }
            }
            Event::Text(text) => {
                if let (Some(open), Some(_)) = (stack.last_mut(), &current) {
                    open.text.push_str(&text.decode().unwrap_or_default());
                }
            }
            Event::CData(data) => {
                if let (Some(open), Some(_)) = (stack.last_mut(), &current) {
                    open.text
                        .push_str(&String::from_utf8_lossy(&data.into_inner()));
                }
            }
            Event::GeneralRef(reference) => {
                if let (Some(open), Some(_)) = (stack.last_mut(), &current) {
                    if let Ok(Some(c)) = reference.resolve_char_ref() {
                        open.text.push(c);
                    } else if let Ok(name) = reference.decode() {
                        // An entity XML does not define (`&eacute;`) is kept as written.
                        match entity(&name) {
                            Some(text) => open.text.push_str(text),
                            None => open.text.push_str(&format!("&{name};")),
                        }
                    }
                }
            }
            Event::End(_) => {
                let depth = stack.len().saturating_sub(1);
                let value_path = current.as_ref().map(|(from, _)| path(&stack, *from));
                let Some(open) = stack.pop() else { break };
                match &mut current {
                    Some((from, _)) if *from == depth => {
                        if let Some((_, values)) = current.take() {
                            out.records.push(values);
                        }
                    }
                    Some((_, values)) => {
                        let text = open.text.trim();
                        if !text.is_empty()
                            && let Some(path) = value_path
                        {
                            values.values.push((path, text.to_owned()));
                        }
                    }
                    None => {}
                }
            }
            Event::Eof => {
                if !stack.is_empty() {
                    out.broken = Some((
                        "le document XML est tronqué (balises non fermées).".to_owned(),
                        current.take().map(|(_, r)| r),
                    ));
                }
                break;
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if !root_seen {
        return Err(FeedError::NotAFeed("aucun élément XML.".into()));
    }
    if out.records.is_empty() && out.broken.is_none() && root_children > 0 {
        return Err(FeedError::NotAFeed(format!(
            "aucun élément <{record}> dans le document."
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_keyed_by_path_with_cdata_entities_and_attributes() {
        let doc = r#"<?xml version="1.0"?><export><vehicules>
            <vehicule id="7"><marque><![CDATA[Citroën]]></marque><modele>C3 &amp; Co &#233; &eacute;</modele>
            <photos><photo>https://a/1.jpg</photo><photo>https://a/2.jpg</photo></photos><prix devise="EUR"/></vehicule>
            <vehicule/></vehicules></export>"#;
        let out = records(doc, "vehicule").unwrap();
        assert!(out.broken.is_none());
        assert_eq!(out.records.len(), 2);
        let values = &out.records[0].values;
        assert!(values.contains(&("@id".into(), "7".into())));
        assert!(values.contains(&("marque".into(), "Citroën".into())));
        assert!(values.contains(&("modele".into(), "C3 & Co é &eacute;".into())));
        assert!(values.contains(&("photos/photo".into(), "https://a/1.jpg".into())));
        assert!(values.contains(&("prix/@devise".into(), "EUR".into())));
    }

    #[test]
    fn a_truncated_document_keeps_the_closed_records() {
        let doc =
            "<vehicules><vehicule><reference>A</reference></vehicule><vehicule><reference>B</ref";
        let out = records(doc, "vehicule").unwrap();
        assert_eq!(out.records.len(), 1);
        assert!(out.broken.is_some());
    }

    #[test]
    fn not_xml_or_the_wrong_record_is_refused() {
        assert!(records("marque;modele", "vehicule").is_err());
        assert!(records("<stock><car/></stock>", "vehicule").is_err());
        assert!(records("<vehicules></vehicules>", "vehicule").is_ok());
    }
}
