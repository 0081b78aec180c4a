//! The whole portal in one process: every function's router (the same ones
//! the Lambdas serve), the built frontend, and local-only `/_dev` routes
//! (mail outbox, signed blob URLs). `/_dev` exists only here, never in a
//! Lambda build.

mod backend;
mod dev_routes;
mod local_files;
mod mail_switch;
pub mod openapi;
mod options;
mod web;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use aws_config::SdkConfig;
use axum::Router;
use shared::Services;
use shared::adapters::outbox::OutboxMailer;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use options::{Backend, FunctionPorts, Options};

#[derive(Debug, thiserror::Error)]
pub enum DevError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("data folder {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Setup(String),
}

/// Every route of every function, merged as API Gateway would route them.
pub fn function_routes() -> Router<Services> {
    openapi::function_api().into()
}

/// [`function_routes`], each function's routes given `ports(services,
/// name)` as their state, as each Lambda has its own.
fn function_routes_with(services: &Services, ports: FunctionPorts) -> Router<Services> {
    openapi::FUNCTIONS
        .iter()
        .fold(Router::new(), |all, (name, api)| {
            let routes: Router<Services> = api().into();
            all.merge(routes.with_state(ports(services, name)))
        })
}

/// A running dev server.
pub struct DevServer {
    pub addr: SocketAddr,
    pub url: String,
    pub services: Services,
    pub outbox: OutboxMailer,
    pub bootstrap: backend::BootstrapManager,
    pub backend: Backend,
    /// The built-in ERP simulator, when `--erp-url` was not given.
    pub simulator: Option<erp_simulator::RunningSimulator>,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

pub async fn start(options: Options) -> Result<DevServer, DevError> {
    start_with_sdk(options, None).await
}

/// As [`start`], with an explicit AWS SDK configuration for `--backend aws`
/// (tests point it at the emulator without touching the process environment).
pub async fn start_with_sdk(
    options: Options,
    sdk: Option<SdkConfig>,
) -> Result<DevServer, DevError> {
    let addr = SocketAddr::new(options.host, options.port);
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| DevError::Bind { addr, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| DevError::Bind { addr, source })?;
    let url = options
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"))
        .trim_end_matches('/')
        .to_owned();
    std::fs::create_dir_all(&options.data_dir).map_err(|source| DevError::DataDir {
        path: options.data_dir.clone(),
        source,
    })?;
    let mut built = backend::build(&options, &url, sdk).await?;
    let mail = mail_switch::MailSwitch::new(built.services.mailer.clone());
    built.services.mailer = Arc::new(mail.clone());
    let bootstrap = backend::bootstrap_manager(&built.services, &options.data_dir).await?;

    // `GET /api/openapi.json` serves the document generated from this code.
    let document = shared::http::openapi::Document(openapi::openapi_json().into());
    let routes = match options.function_ports {
        Some(ports) => function_routes_with(&built.services, ports),
        None => function_routes(),
    };
    let api = shared::http::api_router(routes, &built.services.config)
        .layer(axum::Extension(document))
        .with_state(built.services.clone());
    let app = api
        .merge(dev_routes::routes(dev_routes::DevState {
            outbox: built.outbox.clone(),
            blobs: built.blobs.clone(),
            services: built.services.clone(),
            function_ports: options.function_ports,
            simulator: built.simulator.as_ref().map(|s| s.simulator.clone()),
            mail,
        }))
        .merge(shared::http::app::security_headers(
            web::routes(&options.web_dir),
            false,
        ));

    let (shutdown, signal) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = signal.await;
            })
            .await;
        if let Err(err) = served {
            tracing::error!(error = %err, "dev server stopped");
        }
    });
    Ok(DevServer {
        addr,
        url,
        services: built.services,
        outbox: built.outbox,
        bootstrap,
        backend: options.backend,
        simulator: built.simulator,
        shutdown: Some(shutdown),
        task,
    })
}

impl DevServer {
    pub fn print_banner(&self) {
        println!();
        println!("  Portail STVA (stva-dev, backend {:?})", self.backend);
        println!("  Portail        {}/", self.url);
        println!("  API            {}/api/health", self.url);
        println!("  E-mails        {}/_dev/mail", self.url);
        match &self.simulator {
            Some(erp) => println!(
                "  ERP simulé     {} (avancer : POST /_dev/erp/advance)",
                erp.url
            ),
            None => println!(
                "  ERP            {}",
                self.services.config.erp_url.as_deref().unwrap_or("?")
            ),
        }
        println!(
            "  Gestionnaire   {}  /  {}",
            self.bootstrap.email,
            self.bootstrap
                .password
                .as_deref()
                .unwrap_or("(mot de passe déjà choisi)")
        );
        println!();
    }

    pub async fn wait_for_ctrl_c(self) {
        let _ = tokio::signal::ctrl_c().await;
        self.stop().await;
    }

    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        let _ = self.task.await;
        if let Some(simulator) = self.simulator.take() {
            simulator.shutdown().await;
        }
    }
}
