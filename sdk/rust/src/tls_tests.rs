//! The shared TLS table (test/vectors/session.json "tls"): when a session uses TLS, trusting
//! what, for which name, and the errors of settings that cannot work.
use std::collections::HashMap;

use super::*;

const PEM: &str =
    "-----BEGIN CERTIFICATE-----\nMIIBdzCCAR2gAwIBAgIUQ0E=\n-----END CERTIFICATE-----\n";

#[test]
fn each_tls_case_of_the_shared_table() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../test/vectors/session.json"
    );
    let table: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let dir = std::env::temp_dir().join(format!("bitbroker-tls-table-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (ca, not_pem) = (dir.join("ca.pem"), dir.join("not.pem"));
    std::fs::write(&ca, PEM).unwrap();
    std::fs::write(&not_pem, "not a certificate\n").unwrap();
    let fill = |text: &str| {
        let text = text.replace("$NOT_PEM", not_pem.to_str().unwrap());
        text.replace("$CA", ca.to_str().unwrap())
            .replace("$PEM", PEM)
    };
    for case in table["tls"]["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let env: HashMap<String, String> = case["env"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), fill(v.as_str().unwrap())))
            .collect();
        let option = match &case["option"] {
            serde_json::Value::Null => None,
            serde_json::Value::Bool(false) => Some(Tls::Off),
            serde_json::Value::Bool(true) => Some(Tls::system()),
            given => Some(Tls::On {
                ca: given["ca"].as_str().map(fill),
                server_name: given["server_name"].as_str().map(str::to_string),
            }),
        };
        let expect = &case["expect"];
        let got = resolve(option.as_ref(), |k| env.get(k).cloned());
        match (expect.get("error"), expect.get("error_starts")) {
            (Some(error), _) => {
                assert_eq!(got.unwrap_err(), fill(error.as_str().unwrap()), "{name}")
            }
            (_, Some(start)) => {
                let err = got.unwrap_err();
                assert!(
                    err.starts_with(&fill(start.as_str().unwrap())),
                    "{name}: {err}"
                );
            }
            _ if !expect["tls"].as_bool().unwrap() => assert_eq!(got.unwrap(), None, "{name}"),
            _ => {
                let got = got.unwrap().expect(name);
                let trusting = match got.trusting.as_str() {
                    "the system's CAs" => "system",
                    "the CA given in the tls option" => "inline",
                    _ => "file",
                };
                assert_eq!(trusting, expect["trusting"].as_str().unwrap(), "{name}");
                assert_eq!(
                    got.server_name.as_deref(),
                    expect["server_name"].as_str(),
                    "{name}"
                );
            }
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
