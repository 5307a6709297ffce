//! TLS settings of a session (README "TLS"): `ConnectOptions::tls`, else `$BITBROKER_TLS`,
//! `$BITBROKER_TLS_CA` and `$BITBROKER_TLS_SERVER_NAME`, resolved once per session; then (feature
//! `tls`) the rustls client that always verifies the broker's certificate and its name. Reads the
//! CA file and the system's CAs; opens no socket. No setting skips certificate verification.
use crate::options::Tls;

const ON: [&str; 4] = ["1", "true", "yes", "on"];
const OFF: [&str; 4] = ["0", "false", "no", "off"];
/// Turns TLS on or off when `ConnectOptions::tls` is `None`.
pub const TLS_ENV: &str = "BITBROKER_TLS";
/// The CA to trust (a PEM file's path or its text) when `ConnectOptions::tls` is `None`.
pub const TLS_CA_ENV: &str = "BITBROKER_TLS_CA";
/// The name the certificate must be issued for when `ConnectOptions::tls` is `None`.
pub const TLS_SERVER_NAME_ENV: &str = "BITBROKER_TLS_SERVER_NAME";

/// What one session's connect needs: the CA's PEM text (`None`: the system's CAs), the name to
/// check (`None`: the host), and how messages name what is trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResolvedTls {
    pub(crate) ca_pem: Option<String>,
    pub(crate) server_name: Option<String>,
    pub(crate) trusting: String,
}

/// The option wins whole when given (`Tls::Off`: plain, whatever the environment says); else
/// `BITBROKER_TLS` (1/true/yes/on or 0/false/no/off) turns TLS on or off, and setting
/// `BITBROKER_TLS_CA` or `BITBROKER_TLS_SERVER_NAME` turns it on unless `BITBROKER_TLS` is off.
/// `None` = plain TCP; `Err` = why the settings cannot work.
pub(crate) fn resolve(
    option: Option<&Tls>,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Option<ResolvedTls>, String> {
    let (ca, server_name) = match option {
        Some(Tls::Off) => return Ok(None),
        Some(Tls::On { ca, server_name }) => (ca.clone(), server_name.clone()),
        None => {
            let raw = lookup(TLS_ENV).unwrap_or_default();
            let flag = raw.trim().to_lowercase();
            if !flag.is_empty() && !ON.contains(&flag.as_str()) && !OFF.contains(&flag.as_str()) {
                let all = [ON, OFF].concat().join(", ");
                return Err(format!("{TLS_ENV} must be one of {all}; got {raw:?}"));
            }
            let set = |name| {
                lookup(name)
                    .map(|v| v.trim().to_string())
                    .filter(|v| !v.is_empty())
            };
            let (ca, server_name) = (set(TLS_CA_ENV), set(TLS_SERVER_NAME_ENV));
            let on = if flag.is_empty() {
                ca.is_some() || server_name.is_some()
            } else {
                ON.contains(&flag.as_str())
            };
            if !on {
                return Ok(None);
            }
            (ca, server_name)
        }
    };
    let server_name = server_name.filter(|name| !name.is_empty());
    let Some(ca) = ca else {
        let trusting = "the system's CAs".to_string();
        return Ok(Some(ResolvedTls {
            ca_pem: None,
            server_name,
            trusting,
        }));
    };
    let inline = ca.contains("-----BEGIN");
    let pem = if inline {
        ca.clone()
    } else {
        std::fs::read_to_string(&ca)
            .map_err(|e| format!("cannot read the TLS CA file {ca}: {e}"))?
    };
    let trusting = if inline {
        "the CA given in the tls option".to_string()
    } else {
        format!("the CA in {ca}")
    };
    if !pem.contains("-----BEGIN CERTIFICATE-----") {
        return Err(format!(
            "{trusting} holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
        ));
    }
    Ok(Some(ResolvedTls {
        ca_pem: Some(pem),
        server_name,
        trusting,
    }))
}

/// Why a handshake that failed once TCP was up failed (not retried), and against which CA.
pub(crate) fn failed(tls: &ResolvedTls, error: &dyn std::fmt::Display) -> String {
    let why = error.to_string();
    let upper = why.to_uppercase();
    let plain = ["CORRUPT MESSAGE", "INVALIDCONTENTTYPE", "RESET", "EOF"]
        .iter()
        .any(|h| upper.contains(h));
    let name = tls
        .server_name
        .as_ref()
        .map(|n| format!(" for the name {n}"))
        .unwrap_or_default();
    let hint = if plain {
        " (does the broker speak TLS on this port?)"
    } else {
        ""
    };
    format!(
        "TLS failed, its certificate checked against {}{name}: {why}{hint}",
        tls.trusting
    )
}

/// The rustls client for `tls`: only its CA (or the system's), the name checked, ring's crypto.
#[cfg(feature = "tls")]
pub(crate) fn connector(tls: &ResolvedTls) -> Result<tokio_rustls::TlsConnector, String> {
    use std::sync::Arc;

    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::CertificateDer;
    use tokio_rustls::rustls::{ClientConfig, RootCertStore};

    let mut roots = RootCertStore::empty();
    match &tls.ca_pem {
        Some(pem) => {
            for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
                let cert = cert.map_err(|e| format!("{} does not parse: {e}", tls.trusting))?;
                roots
                    .add(cert)
                    .map_err(|e| format!("{} is not a CA certificate: {e}", tls.trusting))?;
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            for cert in found.certs {
                let _ = roots.add(cert); // one odd system certificate does not stop the others
            }
            if roots.is_empty() {
                return Err(format!(
                    "no CA certificates found on this system ({:?})",
                    found.errors
                ));
            }
        }
    }
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_rustls::TlsConnector::from(Arc::new(config)))
}

#[cfg(test)]
#[path = "tls_tests.rs"]
mod tests;
