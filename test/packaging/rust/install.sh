# In the BitBroker clone: dist/bitbroker-sdk-0.2.0.crate (cargo package)
(cd "$BITBROKER" && bun run pack rust)
# In your project's folder (Cargo.toml and src/main.rs below): the crate, unpacked
mkdir -p vendor
tar -xzf "$BITBROKER/dist/bitbroker-sdk-0.2.0.crate" -C vendor
