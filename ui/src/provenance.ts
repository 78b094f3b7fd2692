// Where a number on file came from (issue 20), in the user's language: its source by code
// (typed at onboarding, the partner's signed card, an approved change), who typed or chose it,
// who approved it, and when; and why a number is not offered for a case's callback. The facts
// are the core's, from the signed statements; only the words are here.
import type { NumberSource } from "./bindings/NumberSource";
import type { Withheld } from "./bindings/Withheld";
import { formatDate, t } from "./i18n";

/** Every source and every reason, so that a code added in Rust fails the type check here. */
const SOURCES: Record<NumberSource, true> = { onboarding: true, partner_card: true, change: true };
const WITHHELD: Record<Withheld, true> = { in_email: true, added_after_instruction: true };
export const NUMBER_SOURCE_CODES = Object.keys(SOURCES) as NumberSource[];
export const WITHHELD_CODES = Object.keys(WITHHELD) as Withheld[];

/** What the UI receives about a number's provenance (a `PhoneEntry` or a `PartnerPhone`). */
export interface Provenance {
  source: NumberSource;
  recorded_by: string;
  approved_by: string | null;
  recorded_at: string;
}

/** "typed at onboarding by alice (contract or onboarding call), approved by dave, on …". */
export function provenanceText(p: Provenance): string {
  const parts = [t(`numberSource.${p.source}`, { user: p.recorded_by })];
  if (p.approved_by) parts.push(t("numberSource.approvedBy", { user: p.approved_by }));
  parts.push(t("numberSource.at", { at: formatDate(p.recorded_at) }));
  return parts.join(", ");
}

/** Why a number is not offered for this case's callback. */
export function withheldText(reason: Withheld): string {
  return t(`withheld.${reason}`);
}
