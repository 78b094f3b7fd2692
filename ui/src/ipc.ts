// The one place that calls Tauri's `invoke`: the generated command wrappers
// (./bindings/commands.ts) go through `call`, which turns every failure into a CommandError,
// including Tauri's own refusals (`code: "ipc_error"`).
import { invoke, type InvokeArgs } from "@tauri-apps/api/core";
import type { CommandError } from "./bindings/CommandError";

/** Code for a failure that did not come from a command: Tauri refused or lost the call. */
export const IPC_ERROR = "ipc_error";

export function isCommandError(value: unknown): value is CommandError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as CommandError).code === "string" &&
    typeof (value as CommandError).message === "string"
  );
}

/** Turns whatever an invoke rejected with into a CommandError. */
export function toCommandError(reason: unknown): CommandError {
  if (isCommandError(reason)) {
    const { detail, values } = reason as Partial<CommandError>;
    return { code: reason.code, message: reason.message, detail: typeof detail === "string" ? detail : null, values: values ?? {} };
  }
  const message =
    typeof reason === "string" ? reason : reason instanceof Error ? reason.message : String(reason);
  return { code: IPC_ERROR, message, detail: null, values: {} };
}

/** Invokes one command; rejects with a CommandError. */
export async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw toCommandError(reason);
  }
}
