// Keys inside the Secrets the operator writes for NATS authorization. Kept apart from the minting
// code, so the pod manifest can name them without loading the JWT libraries.

/** Key of the `.creds` file in every credential Secret. */
export const CREDS_KEY = 'nats.creds';
/** Key of the NATS server's CA certificate (TLS), when there is one. */
export const CA_KEY = 'ca.crt';
