#!/usr/bin/env bash
# Builds the demo workspace from the TEST-ONLY keys in keys/ with the countersign CLI:
#
#   scripts/demo-workspace.sh DIR [CLI]
#
# DIR must not exist or be empty. Afterwards DIR/workspace is a workspace of "Initech GmbH" with
# three partners (Globex, Acme, Umbrella), one user per role, and three received cases: a clean
# accepted payment to Umbrella, a hold from the incident scenario (Globex's stolen key asks to pay
# a new account; received with its email, keys/demo-incident.eml, kept as evidence) and a
# rejected forgery (signed with a key nobody pinned). DIR/inbox holds more signed files to
# receive in the app (the same incident, fresh) and an ERP payment run to screen
# (erp-payment-run.xml, pain.001.001.03), and DIR/org.card our card.
#
# Demo credentials (TEST-ONLY, also in README.md):
#   admin alice, clerk carol, approvers dave and erin, auditor frank;
#   password "TEST-ONLY <name> demo"; organisation key passphrase "TEST-ONLY org demo".
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=${1:?usage: $0 DIR [CLI]}
CLI=${2:-$ROOT/target/release/countersign}
KEYS=$ROOT/keys
[[ -x $CLI ]] || { echo "no CLI at $CLI: run 'cargo build --release -p countersign --bin countersign'" >&2; exit 2; }
if [[ -e $DIR ]] && [[ -n $(ls -A "$DIR") ]]; then
  echo "$DIR is not empty: choose a fresh directory" >&2
  exit 2
fi
mkdir -p "$DIR/inbox" "$DIR/work"
WS=$DIR/workspace
export COUNTERSIGN_DATA_DIR=$WS COUNTERSIGN_PASSPHRASE="TEST-ONLY org demo"
unset COUNTERSIGN_TOTP

cs() { "$CLI" "$@" >/dev/null; }
as() { # as USER command…: runs the CLI as a demo user
  local user=$1
  shift
  COUNTERSIGN_PASSWORD="TEST-ONLY $user demo" "$CLI" --as "$user" "$@"
}
fingerprint() { "$CLI" fingerprint --json "$1" | sed -n 's/.*"fingerprint": *"\([^"]*\)".*/\1/p'; }

COUNTERSIGN_PASSWORD="TEST-ONLY alice demo" cs init --org-name "Initech GmbH" --admin alice
as alice org account --iban "DE02 1203 0000 0000 2020 51" --bic BYLADEM1001 >/dev/null
as alice card export --out "$DIR/org.card" >/dev/null

# Partners, each pinned with the fingerprint read back on the phone, their numbers and the
# account from the contract.
add_partner() { # CARD PHONE COUNTRY IBAN BIC DOMAIN
  as alice partner add --card "$KEYS/$1.card" --confirm-fingerprint "$(fingerprint "$KEYS/$1.card")" \
    --phone "$2" --country "$3" --iban "$4" --bic "$5" --domain "$6" >/dev/null
}
add_partner globex "+49 30 1234567" DE "DE89 3704 0044 0532 0130 00" COBADEFFXXX globex.example
add_partner acme "+90 212 555 0101" TR "TR33 0006 1005 1978 6457 8413 26" ISBKTRISXXX acme.example
add_partner umbrella "+34 91 555 0102" ES "ES91 2100 0418 4502 0005 1332" CAIXESBBXXX umbrella.example

# The team. Until two people can check changes the workspace is in setup mode and alice's
# onboarding above applied at once; from dave on, pinning, rotations, approvers, resets, our
# account and a looser policy are pending changes a second person approves (issue 15).
add_user() { # NAME ROLE: prints the pending change's id, if the addition is one
  COUNTERSIGN_NEW_PASSWORD="TEST-ONLY $1 demo" as alice --json user add --name "$1" --role "$2" |
    sed -n '/"pending_change"/,/}/s/.*"id": *\([0-9]*\).*/\1/p'
}
for user in carol:clerk dave:approver frank:auditor; do
  add_user "${user%%:*}" "${user#*:}" >/dev/null
done
# A second approver is the first pending change: alice proposes erin, dave approves.
as dave change approve "$(add_user erin approver)" >/dev/null

details() { # NAME IBAN BIC AMOUNT REFERENCE
  printf '{"beneficiary_name": "%s", "iban": "%s", "bic": "%s", "currency": "EUR", "amount": "%s", "reference": "%s"}\n' "$@"
}
sign() { # KEYBASE PASSPHRASE DETAILS OUT
  details_file=$DIR/work/$(basename "$4").details.json
  echo "$3" >"$details_file"
  COUNTERSIGN_KEY_PASSPHRASE=$2 "$CLI" sign --key "$1.key" --to "$DIR/org.card" --details "$details_file" --out "$4" >/dev/null
}

# 1. Umbrella's invoice to the account on file: accepted.
sign "$KEYS/umbrella" "TEST-ONLY umbrella demo" \
  "$(details "Umbrella Logistics S.L." "ES91 2100 0418 4502 0005 1332" CAIXESBBXXX 1840.00 "INV-2026-0412")" \
  "$DIR/work/umbrella-inv-0412.json"
# 2. The incident: Globex's stolen key asks to pay the mule's account. Valid signature: hold.
sign "$KEYS/globex" "TEST-ONLY globex demo" \
  "$(details "Globex Corporation" "GB82 WEST 1234 5698 7654 32" WESTGB2L 48200.00 "INV-7731 new bank details")" \
  "$DIR/work/globex-new-bank-details.json"
# 3. A forgery: signed with a key of the fraudster's own under Globex's name: rejected.
COUNTERSIGN_KEY_PASSPHRASE="TEST-ONLY forger demo" cs keygen --name "Globex Corporation" --out "$DIR/work/forger"
sign "$DIR/work/forger" "TEST-ONLY forger demo" \
  "$(details "Globex Corporation" "GB82 WEST 1234 5698 7654 32" WESTGB2L 48200.00 "INV-7731")" \
  "$DIR/work/globex-urgent-forged.json"

# Received one at a time, in this order (cases 1, 2, 3), each with the email that carried it:
# the incident's file came with keys/demo-incident.eml (TEST-ONLY; Reply-To a look-alike, SPF
# passing for a third party's server), whose findings the case keeps as email evidence.
receive() { # EXPECTED-EXIT FILE [--email EML]
  local expected=$1 status=0
  shift
  as carol receive "$@" >/dev/null || status=$?
  [[ $status == "$expected" ]] || { echo "receiving $1 exited $status, expected $expected" >&2; exit 1; }
}
receive 0 "$DIR/work/umbrella-inv-0412.json"
# A hold exits 3 (the CLI's code for "held for a callback").
receive 3 "$DIR/work/globex-new-bank-details.json" --email "$KEYS/demo-incident.eml"
# A rejection exits 1.
receive 1 "$DIR/work/globex-urgent-forged.json"

# Files left to receive in the app: the incident again (a new instruction), and Acme's invoice.
sign "$KEYS/globex" "TEST-ONLY globex demo" \
  "$(details "Globex Corporation" "GB82 WEST 1234 5698 7654 32" WESTGB2L 12950.00 "INV-7760 new bank details")" \
  "$DIR/inbox/globex-inv-7760.json"
sign "$KEYS/acme" "TEST-ONLY acme demo" \
  "$(details "Acme Tekstil A.S." "TR33 0006 1005 1978 6457 8413 26" ISBKTRISXXX 7300.00 "INV-A-0098")" \
  "$DIR/inbox/acme-inv-0098.json"
# The ERP's payment run (pain.001.001.03), to screen: Umbrella's verified account (ok), Globex's
# contract account no signed instruction established, the incident's new account still on hold,
# Acme's contract account, and Umbrella's line again (a duplicate).
payment() { # E2E AMOUNT NAME IBAN BIC REFERENCE
  printf '      <CdtTrfTxInf>
        <PmtId><EndToEndId>%s</EndToEndId></PmtId>
        <Amt><InstdAmt Ccy="EUR">%s</InstdAmt></Amt>
        <CdtrAgt><FinInstnId><BIC>%s</BIC></FinInstnId></CdtrAgt>
        <Cdtr><Nm>%s</Nm></Cdtr>
        <CdtrAcct><Id><IBAN>%s</IBAN></Id></CdtrAcct>
        <RmtInf><Ustrd>%s</Ustrd></RmtInf>
      </CdtTrfTxInf>\n' "$1" "$2" "$5" "$3" "$4" "$6"
}
{
  printf '<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03">
  <CstmrCdtTrfInitn>
    <GrpHdr><MsgId>ERP-RUN-2026-12-0042</MsgId><CreDtTm>2026-12-01T08:00:00</CreDtTm><NbOfTxs>5</NbOfTxs><CtrlSum>36570.00</CtrlSum><InitgPty><Nm>Initech GmbH</Nm></InitgPty></GrpHdr>
    <PmtInf>
      <PmtInfId>RUN-0042-EUR</PmtInfId><PmtMtd>TRF</PmtMtd><BtchBookg>true</BtchBookg><NbOfTxs>5</NbOfTxs><CtrlSum>36570.00</CtrlSum>
      <PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl></PmtTpInf>
      <ReqdExctnDt>2099-12-31</ReqdExctnDt>
      <Dbtr><Nm>Initech GmbH</Nm></Dbtr>
      <DbtrAcct><Id><IBAN>DE02120300000000202051</IBAN></Id></DbtrAcct>
      <DbtrAgt><FinInstnId><BIC>BYLADEM1001</BIC></FinInstnId></DbtrAgt>
      <ChrgBr>SLEV</ChrgBr>\n'
  payment RUN-0042-1 1840.00 "Umbrella Logistics S.L." ES9121000418450200051332 CAIXESBBXXX "INV-0413"
  payment RUN-0042-2 12500.00 "Globex Corporation" DE89370400440532013000 COBADEFFXXX "INV-7761"
  payment RUN-0042-3 12950.00 "Globex Corporation" GB82WEST12345698765432 WESTGB2LXXX "INV-7760"
  payment RUN-0042-4 7440.00 "Acme Tekstil A.S." TR330006100519786457841326 ISBKTRISXXX "INV-A-0099"
  payment RUN-0042-5 1840.00 "Umbrella Logistics S.L." ES9121000418450200051332 CAIXESBBXXX "INV-0413"
  printf '    </PmtInf>
  </CstmrCdtTrfInitn>
</Document>\n'
} > "$DIR/inbox/erp-payment-run.xml"
rm -f "$DIR/work/forger.key"
echo "demo workspace: $WS (files to receive in $DIR/inbox)"
