"""Example: a party organisation signs a second-chance agreement with its own key.

    python sign_agreement.py KEY_FILE AGREEMENT_ID [--expect SHA256] [--purpose PURPOSE]

``--expect`` is the SHA-256 printed on the document the signatory read (``agreementDocument``
gives it, and the PDF shows it): the SDK signs only that text. Prints the agreement's status
and who has signed; exits 1 with one line if the text is not the one expected.
"""

from __future__ import annotations

import argparse
import sys

from clients import AgreementTextError, RegistryClient


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("key_file")
    parser.add_argument("agreement_id")
    parser.add_argument("--expect", help="the SHA-256 of the text the signatory read")
    parser.add_argument("--purpose", default="eviction_prevention")
    args = parser.parse_args()
    with RegistryClient.from_key_file(args.key_file, purpose=args.purpose) as client:
        try:
            agreement = client.sign_agreement(args.agreement_id, expected_sha256=args.expect)
        except AgreementTextError as refused:
            sys.exit(f"not signed: {refused}")
    signed = sorted(p["partner"] or "" for p in agreement["parties"] or [] if p["signedAt"])
    print(f"{agreement['status']}; signed by {', '.join(signed)}")


if __name__ == "__main__":
    main()
