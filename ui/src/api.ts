// The only module that talks to the Rust side. Each function sends one intent to one
// `#[tauri::command]` and returns what the core decided; the UI never decides anything itself.
// Every failure arrives as a CommandError.
import { invoke, type InvokeArgs } from "@tauri-apps/api/core";

/** Mirrors `AppInfo` in src-tauri/src/commands/app.rs. */
export interface AppInfo {
  name: string;
  version: string;
}

/** Mirrors `CommandError` in src-tauri/src/error.rs: `code` is stable, `message` is for people. */
export interface CommandError {
  code: string;
  message: string;
}

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
    return { code: reason.code, message: reason.message };
  }
  const message =
    typeof reason === "string" ? reason : reason instanceof Error ? reason.message : String(reason);
  return { code: IPC_ERROR, message };
}

async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw toCommandError(reason);
  }
}

/** The app's name and version. */
export function appInfo(): Promise<AppInfo> {
  return call<AppInfo>("app_info");
}
