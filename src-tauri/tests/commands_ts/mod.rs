//! The UI's command wrappers, generated from the Rust commands themselves (issue 19, item 8):
//! every `#[tauri::command]` in `src/commands/*.rs` is read with `syn` and becomes one typed
//! function in `ui/src/bindings/commands.ts` (its name in camelCase, its parameters and result
//! as the Rust signature says, its doc comment as JSDoc), so a command's name and types are
//! written once, in Rust. The same reading checks that every command is also in the invoke
//! handler (`src/commands/mod.rs`), in `COMMANDS` (`build.rs`) and granted in
//! `capabilities/main.json`, and that nothing else is.

use std::collections::BTreeSet;
use std::path::Path;

use syn::{FnArg, GenericArgument, Item, ItemFn, Pat, PathArguments, ReturnType, Type};

/// Parameters the Rust side takes as text on purpose, so that a value outside the core's enum is
/// refused by the core's own parser as an `invalid_input` CommandError (not a deserialisation
/// failure), while the UI may only send the enum's values: (command, parameter, TypeScript type).
const TEXT_PARAMETERS: &[(&str, &str, &str)] = &[("list_changes", "status", "ChangeStatus | null")];

/// One command as the UI calls it.
pub struct Command {
    /// The Rust name, `approve_case`: what `invoke` takes.
    pub name: String,
    doc: Vec<String>,
    /// (the argument's key as the UI sends it, its TypeScript type).
    params: Vec<(String, String)>,
    result: String,
}

/// Every `#[tauri::command]` of `src/commands/`, by file and then in source order.
pub fn commands(src: &Path) -> Vec<Command> {
    let mut files: Vec<_> = std::fs::read_dir(src.join("commands"))
        .expect("src/commands")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "rs") && !p.ends_with("mod.rs"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let file = syn::parse_file(&std::fs::read_to_string(&path).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for item in file.items {
            if let Item::Fn(f) = item {
                if is_command(&f) {
                    out.push(command(&f));
                }
            }
        }
    }
    for (command, parameter, _) in TEXT_PARAMETERS {
        let found = out.iter().any(|c| c.name == *command && c.params.iter().any(|(k, _)| *k == camel(parameter)));
        assert!(found, "TEXT_PARAMETERS names {command}({parameter}), which is no command's parameter");
    }
    out
}

fn is_command(f: &ItemFn) -> bool {
    f.attrs.iter().any(|a| a.path().segments.iter().map(|s| s.ident.to_string()).collect::<Vec<_>>() == ["tauri", "command"])
}

fn command(f: &ItemFn) -> Command {
    let doc = f
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value().trim().to_string()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    let params = f
        .sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            FnArg::Typed(pt) if !injected(&pt.ty) => match &*pt.pat {
                Pat::Ident(id) => {
                    Some((camel(&id.ident.to_string()), parameter_type(&f.sig.ident.to_string(), &id.ident.to_string(), &pt.ty)))
                }
                other => panic!("{}: a parameter pattern the generator does not read: {other:?}", f.sig.ident),
            },
            _ => None,
        })
        .collect();
    let result = match &f.sig.output {
        ReturnType::Default => "null".to_string(),
        ReturnType::Type(_, ty) => match last_segment(ty) {
            Some((name, args)) if name == "CommandResult" || name == "Result" => ts_type(args.first().expect("a result type")),
            _ => ts_type(ty),
        },
    };
    Command { name: f.sig.ident.to_string(), doc, params, result }
}

fn parameter_type(command: &str, parameter: &str, ty: &Type) -> String {
    match TEXT_PARAMETERS.iter().find(|(c, p, _)| *c == command && *p == parameter) {
        Some((_, _, ts)) => {
            assert_eq!(ts_type(ty), "string | null", "{command}({parameter}) is listed in TEXT_PARAMETERS but is not optional text");
            ts.to_string()
        }
        None => ts_type(ty),
    }
}

/// Parameters Tauri fills in itself: the app's state, the window, the app handle.
fn injected(ty: &Type) -> bool {
    let ty = match ty {
        Type::Reference(r) => &*r.elem,
        other => other,
    };
    matches!(last_segment(ty), Some((name, _)) if ["State", "WebviewWindow", "Window", "Webview", "AppHandle"].contains(&name.as_str()))
}

/// The last path segment of a type and its generic type arguments.
fn last_segment(ty: &Type) -> Option<(String, Vec<&Type>)> {
    let Type::Path(p) = ty else { return None };
    let segment = p.path.segments.last()?;
    let args = match &segment.arguments {
        PathArguments::AngleBracketed(a) => a
            .args
            .iter()
            .filter_map(|arg| match arg {
                GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => vec![],
    };
    Some((segment.ident.to_string(), args))
}

/// The TypeScript of a Rust type, as ts-rs writes the same type (`Option<T>` is `T | null`).
fn ts_type(ty: &Type) -> String {
    match ty {
        Type::Tuple(t) if t.elems.is_empty() => "null".into(),
        Type::Reference(r) => ts_type(&r.elem),
        _ => {
            let (name, args) = last_segment(ty).unwrap_or_else(|| panic!("a type the generator does not read: {ty:?}"));
            match (name.as_str(), args.as_slice()) {
                ("String" | "str" | "PathBuf", []) => "string".into(),
                ("i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "usize" | "isize" | "f32" | "f64", []) => "number".into(),
                ("bool", []) => "boolean".into(),
                ("Option", [inner]) => format!("{} | null", ts_type(inner)),
                ("Vec", [inner]) => match ts_type(inner) {
                    simple if simple.chars().all(|c| c.is_alphanumeric() || c == '_') => format!("{simple}[]"),
                    complex => format!("Array<{complex}>"),
                },
                (_, []) => name,
                (_, args) => format!("{name}<{}>", args.iter().map(|a| ts_type(a)).collect::<Vec<_>>().join(", ")),
            }
        }
    }
}

/// `card_path` → `cardPath`: Tauri's default for a command's argument keys and our function names.
fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        match c {
            '_' => upper = true,
            c if upper => {
                out.extend(c.to_uppercase());
                upper = false;
            }
            c => out.push(c),
        }
    }
    out
}

/// The type names a TypeScript type mentions that are ours (imported from their binding file).
fn type_names(ts: &str, into: &mut BTreeSet<String>) {
    for word in ts.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
        if word.starts_with(|c: char| c.is_ascii_uppercase()) && word != "Array" {
            into.insert(word.to_string());
        }
    }
}

/// `ui/src/bindings/commands.ts`.
pub fn commands_ts(commands: &[Command]) -> String {
    let mut types = BTreeSet::new();
    for c in commands {
        for (_, ty) in &c.params {
            type_names(ty, &mut types);
        }
        type_names(&c.result, &mut types);
    }
    let mut out = String::from(
        "// Generated from the app's commands (src-tauri/src/commands/*.rs) by src-tauri/tests/commands_ts/mod.rs.\n\
         // Do not edit this file manually: change the Rust command, then run\n\
         // `UPDATE_BINDINGS=1 cargo test -p countersign-app --test bindings`.\n",
    );
    out.push_str("import { call } from \"../ipc\";\n");
    if types.remove("Channel") {
        out.push_str("import type { Channel } from \"@tauri-apps/api/core\";\n");
    }
    for name in &types {
        out.push_str(&format!("import type {{ {name} }} from \"./{name}\";\n"));
    }
    for c in commands {
        out.push('\n');
        if !c.doc.is_empty() {
            out.push_str("/**\n");
            for line in &c.doc {
                out.push_str(&format!(" *{}{}\n", if line.is_empty() { "" } else { " " }, line.replace("*/", "*\\/")));
            }
            out.push_str(" */\n");
        }
        let params: Vec<String> = c.params.iter().map(|(k, t)| format!("{k}: {t}")).collect();
        let args = match c.params.is_empty() {
            true => String::new(),
            false => format!(", {{ {} }}", c.params.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(", ")),
        };
        out.push_str(&format!(
            "export function {}({}): Promise<{}> {{\n  return call(\"{}\"{args});\n}}\n",
            camel(&c.name),
            params.join(", "),
            c.result,
            c.name
        ));
    }
    out
}

/// Where the app's three lists disagree with the commands: (what, command) for each one missing
/// from a list or listed but not a command.
pub fn registration_problems(root: &Path, commands: &[Command]) -> Vec<String> {
    let names: BTreeSet<String> = commands.iter().map(|c| c.name.clone()).collect();
    let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    let handler: BTreeSet<String> = {
        let text = read("src/commands/mod.rs");
        let list = text.split("generate_handler![").nth(1).and_then(|t| t.split(']').next()).expect("the handler list");
        list.split(',').filter_map(|s| s.trim().rsplit("::").next()).filter(|s| !s.is_empty()).map(str::to_string).collect()
    };
    let build: BTreeSet<String> = {
        let text = read("build.rs");
        let list = text.split("COMMANDS: &[&str] = &[").nth(1).and_then(|t| t.split("];").next()).expect("COMMANDS");
        list.split(',').map(|s| s.trim().trim_matches('"')).filter(|s| !s.is_empty()).map(str::to_string).collect()
    };
    let granted: BTreeSet<String> = {
        let json: serde_json::Value = serde_json::from_str(&read("capabilities/main.json")).expect("capabilities JSON");
        json["permissions"]
            .as_array()
            .expect("permissions")
            .iter()
            .filter_map(|p| p.as_str()?.strip_prefix("allow-").map(|s| s.replace('-', "_")))
            .collect()
    };
    let mut problems = Vec::new();
    for (what, list) in
        [("the invoke handler (src/commands/mod.rs)", &handler), ("COMMANDS (build.rs)", &build), ("capabilities/main.json", &granted)]
    {
        problems.extend(names.difference(list).map(|n| format!("{n}: missing from {what}")));
        problems.extend(list.difference(&names).map(|n| format!("{n}: in {what} but no #[tauri::command] of that name")));
    }
    problems
}
