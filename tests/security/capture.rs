//! Every log line of this test binary, as the Lambdas write them (JSON),
//! kept in memory for the log checks.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

pub struct LineWriter(Arc<Mutex<Vec<u8>>>);

impl Write for LineWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = LineWriter;
    fn make_writer(&'a self) -> Self::Writer {
        LineWriter(self.0.clone())
    }
}

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log buffer")).into_owned()
    }
}

/// Installs the capture once for the whole binary, at a more talkative
/// level than production (`debug` for the portal's crates and the HTTP
/// layer), so that a leak at any level shows.
pub fn logs() -> Captured {
    static CAPTURED: OnceLock<Captured> = OnceLock::new();
    CAPTURED
        .get_or_init(|| {
            let captured = Captured::default();
            tracing_subscriber::fmt()
                .json()
                .with_env_filter(EnvFilter::new(
                    "info,shared=trace,dev_server=trace,erp_simulator=debug,tower_http=debug,\
                     auth=trace,accounts=trace,user_invite=trace,address_book=trace,stock=trace,\
                     stock_sync=trace,quote=trace,validate_order=trace,orders=trace,\
                     invoice_upload=trace,status_poll=trace",
                ))
                .with_writer(captured.clone())
                .init();
            captured
        })
        .clone()
}
