// The vault as the host knows it (engine/host/registry.ts): one process, and `signalbox vault`.
import type { EngineParts } from '../api/definition.ts';

export const vaultParts: EngineParts<'vault'> = {
  name: 'vault',
  load: async () => (await import('./engine.ts')).vaultEngine,
  command: {
    name: 'vault',
    usage: `  vault   --cert CERT.pem --key KEY.pem [--listen 127.0.0.1:8080] [--vault FILE] [--audit FILE]
          [--ca CA.pem] [--config FILE]
          run the vault alone and serve Red October's JSON API over HTTPS (TLS 1.2+);
          --ca requires client certificates signed by that CA
  vault   --import-redoctober FILE [--rename OLD=NEW]... [--import-redoctober FILE ...] --admin NAME
          [--vault FILE] [--audit FILE] [--config FILE]
          add the accounts of Red October vault files (one or several Red October vaults), all or
          none, then exit; --rename gives account OLD of the file before it the name NEW here (for a
          name that is taken); the admin's password comes from SIGNALBOX_VAULT_ADMIN_PASSWORD`,
    load: async () => (await import('./command.ts')).vaultCommand,
  },
};
