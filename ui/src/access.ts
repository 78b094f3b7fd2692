// What the signed-in user may do, as the core says: the permissions of their role
// (`UserView.permissions`, from the core's one table) and, on a case, the steps the state machine
// offers them (`CaseView.next_steps`). The app shows a control only when the core would allow it;
// the core still checks every action, so this decides what is shown, never what is permitted.
import type { UserView } from "./api";
import type { CaseStep } from "./bindings/CaseStep";
import type { Permission } from "./bindings/Permission";

export type { CaseStep, Permission };

/** Whether the user's role has `permission`. */
export function may(user: UserView, permission: Permission): boolean {
  return user.permissions.includes(permission);
}

/** Whether the case view offers `step` to the signed-in user. */
export function offers(view: { next_steps: CaseStep[] }, step: CaseStep): boolean {
  return view.next_steps.includes(step);
}
