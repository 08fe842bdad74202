// Package config is the configuration of returns: one [Config] struct with
// every setting the daemon and the commands read, its defaults and its
// validation. It is a leaf: it imports nothing of the pipeline, and the CLI
// copies its sections into the components' own Config structs.
//
// # Zero configuration
//
// [Defaults] is valid: with no file and no variable set, returns keeps its
// state under ./var, runs its own PostgreSQL cluster there, writes mail as
// .eml files to ./var/outbox and listens on 127.0.0.1:8787.
//
// # Layers
//
// [Load] builds the effective configuration in this order, each layer
// overriding the previous one:
//
//  1. [Defaults];
//  2. the YAML file named by --config, else by RETURNS_CONFIG (no file when
//     neither is set). Decoding is strict: an unknown or repeated key is an
//     error naming the file, the line and the key. A key without a value
//     keeps its default. returns.example.yaml in this folder documents every
//     key with its default;
//  3. environment variables: RETURNS_ followed by the key's YAML path in
//     capitals with "_" for "." — state.dir is RETURNS_STATE_DIR,
//     database.url is RETURNS_DATABASE_URL, smtp.password_file is
//     RETURNS_SMTP_PASSWORD_FILE, time_zone is RETURNS_TIME_ZONE ([Keys]
//     lists them all). An empty variable counts as unset. Durations are
//     written like 10s or 1h30m, booleans true or false;
//  4. secrets from files: database.url_file and smtp.password_file (or
//     RETURNS_DATABASE_URL_FILE and RETURNS_SMTP_PASSWORD_FILE) are read,
//     white space trimmed, into database.url and smtp.password. A file that
//     group or others may access is refused (chmod 600); so are setting a
//     secret and its file in the same layer. A later layer setting either
//     one clears the other: RETURNS_DATABASE_URL wins over url_file in the
//     YAML file. Under systemd, point the *_FILE variables at
//     $CREDENTIALS_DIRECTORY (LoadCredential=).
//
// Then the state folders left empty become folders of state.dir, and the
// whole is checked by [Config.Validate], which reports every problem at
// once, each naming its key. No error quotes a secret, and
// [Config.Redacted] gives a copy that is safe to print or log.
package config
