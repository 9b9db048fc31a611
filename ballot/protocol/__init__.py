"""The protocol around the cryptography (docs/PROTOCOL.md), pure: data in, data out, no I/O.

- `context`: the names every party must build identically (round ids, ballot contexts, what a
  decryption share is bound to);
- `chain`: the record's hash chain and what the committee key signs;
- `device`: what a member's device and a scrutineer's client compute;
- `audit`: the Benaloh challenge (re-encrypting a ballot from its disclosed secrets).
"""
