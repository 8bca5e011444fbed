//! The layering rule, checked on the source: a module imports only its own layer and the layers
//! below it, and no crate has an import circle of more than three modules.
//!
//! A static reading of every `use` tree and every inline `crate::`/`super::`/`self::` path
//! (test modules left out), resolved to the longest known module prefix. It runs in the normal
//! test command, so a change that makes a lower layer import a higher one fails there, naming
//! the file and the path.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};

/// The layers of `auth-core` (DESIGN.md section 2), bottom first, each a list of its top-level
/// modules: a module of layer `i` may import layers `0..=i`. The crate root is exempt (it
/// declares them).
const LAYERS: &[(&str, &[&str])] = &[
    ("protocol", &["protocol"]),
    ("adapter", &["adapter"]),
    (
        "configuration",
        &[
            "error",
            "config",
            "providers",
            "callbacks",
            "events",
            "request",
        ],
    ),
    ("services", &["services"]),
    (
        "instance",
        &[
            "auth",
            "reply",
            "csrf",
            "redirect",
            "rate_limit",
            "revocation",
        ],
    ),
    ("session", &["session"]),
    ("flows", &["flows"]),
];

/// The app crate's server half (`app/src/auth/ssr/`), bottom first: the core's layers, which
/// it re-exports under their own names, then the doors (axum handlers, server functions and
/// what they share), the only layer written in the app.
const APP_SSR_LAYERS: &[(&str, &[&str])] = &[
    (
        "auth-core (re-exported)",
        &[
            "adapter",
            "auth",
            "callbacks",
            "client_ip",
            "config",
            "cookies",
            "csrf",
            "dates",
            "error",
            "events",
            "flows",
            "jwt",
            "password",
            "providers",
            "rate_limit",
            "redirect",
            "reply",
            "request",
            "revocation",
            "secret",
            "services",
            "session",
        ],
    ),
    (
        "doors",
        &[
            "context",
            "routes",
            "extract",
            "cors",
            "path",
            "security_headers",
            "page",
            "housekeeping",
        ],
    ),
];

/// What the server half may import from the rest of `app`: the wire types and the form
/// parser it shares with the browser. Never the UI (client, pages, components).
const APP_SSR_SHARED: &[&str] = &["types", "form"];

/// The largest import circle a crate may have.
const MAX_CIRCLE: usize = 3;

type Module = Vec<String>;

struct Crate {
    /// Module path -> (file, whether the file is a directory module: `lib.rs` / `mod.rs`).
    modules: BTreeMap<Module, (PathBuf, bool)>,
    /// Module -> the modules it names, with one example path for each.
    edges: BTreeMap<Module, BTreeMap<Module, String>>,
}

/// The app crate, with the core's modules that `auth::ssr` re-exports under their own names
/// known as modules of it (they have no file in the app, and import nothing in it).
fn read_app_crate() -> Crate {
    let reexported = APP_SSR_LAYERS[0].1;
    read_crate_with(
        &crate_src("../src"),
        reexported
            .iter()
            .map(|name| vec!["auth".to_owned(), "ssr".to_owned(), (*name).to_owned()]),
    )
}

fn read_crate(src: &Path) -> Crate {
    read_crate_with(src, std::iter::empty())
}

fn read_crate_with(src: &Path, elsewhere: impl Iterator<Item = Module>) -> Crate {
    let mut files = Vec::new();
    collect_rs(src, &mut files);
    let mut modules = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(src).expect("under src");
        let mut parts: Vec<String> = rel
            .iter()
            .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
            .collect();
        let is_dir = matches!(
            parts.last().map(String::as_str),
            Some("mod" | "lib" | "main")
        );
        if is_dir {
            parts.pop();
        }
        modules.insert(parts, (file, is_dir));
    }
    let mut edges = BTreeMap::new();
    for module in elsewhere {
        edges.insert(module.clone(), BTreeMap::new());
        modules.insert(module, (PathBuf::new(), false));
    }
    for (module, (file, is_dir)) in &modules {
        if file.as_os_str().is_empty() {
            continue;
        }
        let source = without_tests(&strip_comments(
            &fs::read_to_string(file).expect("readable source"),
        ));
        let mut out: BTreeMap<Module, String> = BTreeMap::new();
        for path in paths_in(&source) {
            if let Some(target) = resolve(&modules, module, *is_dir, &path) {
                if &target != module {
                    out.entry(target).or_insert(path);
                }
            }
        }
        edges.insert(module.clone(), out);
    }
    Crate { modules, edges }
}

fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .expect("readable dir")
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_rs(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Drops `//` and `/* */` comments (doc comments included) and the contents of string literals,
/// so that a path in prose or in a string is not read as an import.
fn strip_comments(source: &str) -> String {
    let bytes = source.as_bytes();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            b'"' => {
                out.push('"');
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                out.push('"');
                i += 1;
            }
            b'\'' if bytes.get(i + 2) == Some(&b'\'') || bytes.get(i + 1) == Some(&b'\\') => {
                // A char literal ('"', '\'', '{'): skip it whole.
                let end = source[i + 1..]
                    .find('\'')
                    .map_or(bytes.len(), |e| i + 2 + e);
                i = end.max(i + 3).min(bytes.len());
            }
            _ => {
                let ch = source[i..].chars().next().unwrap_or(' ');
                out.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    out
}

/// Drops `#[cfg(test)] mod name { ... }` blocks.
fn without_tests(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let Some(open) = after.find('{') else {
            rest = "";
            break;
        };
        let head = &after[..open];
        if !head.contains("mod ") || head.contains(';') {
            out.push_str("#[cfg(test)]");
            rest = &after["#[cfg(test)]".len()..];
            continue;
        }
        let mut depth = 0usize;
        let mut end = after.len();
        for (i, b) in after.bytes().enumerate().skip(open) {
            match b {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Every path a source names: each leaf of each `use` tree, and each inline path starting with
/// `crate::`, `super::` or `self::`.
fn paths_in(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = source;
    while let Some(at) = find_word(rest, "use") {
        let tail = &rest[at + 3..];
        let Some(end) = tail.find(';') else { break };
        // `a as b` keeps its name `a`: mark the rename, then drop whitespace.
        let words: Vec<&str> = tail[..end].split_whitespace().collect();
        let tree: String = words.join(" ").replace(" as ", "#").replace(' ', "");
        expand("", &tree, &mut out);
        rest = &tail[end..];
    }
    for prefix in ["crate::", "super::", "self::"] {
        let mut rest = source;
        while let Some(at) = find_word(rest, prefix) {
            let path: String = rest[at..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            // `super::{a, b}` is the head of a use tree, already read whole above.
            if !rest[at + path.len()..].starts_with('{') {
                out.push(path.trim_end_matches(':').to_owned());
            }
            rest = &rest[at + prefix.len()..];
        }
    }
    out
}

/// The byte offset of `word` where it is not part of a longer identifier.
fn find_word(haystack: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = haystack[from..].find(word) {
        let at = from + found;
        let before = haystack[..at].chars().next_back();
        let after = haystack[at + word.len()..].chars().next();
        let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        if !ident(before) && (word.ends_with(':') || !ident(after)) {
            return Some(at);
        }
        from = at + word.len();
    }
    None
}

/// `a::{b, c::{d, e}}` into `a::b`, `a::c::d`, `a::c::e`.
fn expand(prefix: &str, tree: &str, out: &mut Vec<String>) {
    let Some(open) = tree.find('{') else {
        let leaf = tree.split('#').next().unwrap_or(tree);
        out.push(format!("{prefix}{leaf}").trim_end_matches("::*").to_owned());
        return;
    };
    let head = &tree[..open];
    let body = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in body.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                expand(&format!("{prefix}{head}"), &body[start..i], out);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < body.len() {
        expand(&format!("{prefix}{head}"), &body[start..], out);
    }
}

/// The module a path names: the longest known module prefix of where it points.
fn resolve(
    modules: &BTreeMap<Module, (PathBuf, bool)>,
    current: &Module,
    is_dir: bool,
    path: &str,
) -> Option<Module> {
    let mut parts: Vec<&str> = path.split("::").filter(|p| !p.is_empty()).collect();
    // `self` inside a use tree (`a::{self, b}`) names `a`.
    if parts.last() == Some(&"self") && parts.len() > 1 {
        parts.pop();
    }
    let mut base: Module = match parts.first().copied() {
        Some("crate") => {
            parts.remove(0);
            Vec::new()
        }
        Some("super") => {
            let mut base = current.clone();
            while parts.first() == Some(&"super") {
                base.pop();
                parts.remove(0);
            }
            base
        }
        Some("self") => {
            parts.remove(0);
            current.clone()
        }
        Some(first) if is_dir => {
            let mut child = current.clone();
            child.push(first.to_owned());
            if !modules.contains_key(&child) {
                return None;
            }
            current.clone()
        }
        _ => return None,
    };
    base.extend(parts.iter().map(|p| (*p).to_owned()));
    (0..=base.len())
        .rev()
        .map(|n| base[..n].to_vec())
        .find(|prefix| modules.contains_key(prefix))
}

/// The import circles (strongly connected components of more than one module), largest first.
fn circles(krate: &Crate) -> Vec<Vec<Module>> {
    // Tarjan's algorithm, iteratively.
    let nodes: Vec<&Module> = krate.modules.keys().collect();
    let index_of: BTreeMap<&Module, usize> =
        nodes.iter().enumerate().map(|(i, m)| (*m, i)).collect();
    let succ: Vec<Vec<usize>> = nodes
        .iter()
        .map(|m| {
            krate.edges[*m]
                .keys()
                .filter_map(|t| index_of.get(t).copied())
                .collect()
        })
        .collect();
    let n = nodes.len();
    let (mut index, mut low, mut on_stack) = (vec![usize::MAX; n], vec![0; n], vec![false; n]);
    let (mut stack, mut next, mut out) = (Vec::new(), 0, Vec::new());
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work = vec![(root, 0usize)];
        while let Some(&mut (v, ref mut child)) = work.last_mut() {
            if *child == 0 && index[v] == usize::MAX {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = succ[v].get(*child) {
                *child += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(nodes[w].clone());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    out.push(component);
                }
            }
        }
    }
    out.sort_by_key(|c| std::cmp::Reverse(c.len()));
    out
}

fn show(module: &Module) -> String {
    if module.is_empty() {
        "crate".to_owned()
    } else {
        module.join("::")
    }
}

fn crate_src(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

#[test]
fn lower_layers_never_import_higher_ones() {
    let krate = read_crate(&crate_src("src"));
    let layer = |module: &Module| {
        module.first().map(|top| {
            LAYERS
                .iter()
                .position(|(_, modules)| modules.contains(&top.as_str()))
                .unwrap_or_else(|| {
                    panic!("top-level module `{top}` is in no layer: add it to LAYERS")
                })
        })
    };
    let mut violations = BTreeSet::new();
    for (from, targets) in &krate.edges {
        let Some(from_layer) = layer(from) else {
            continue;
        };
        for (to, path) in targets {
            if let Some(to_layer) = layer(to) {
                if to_layer > from_layer {
                    violations.insert(format!(
                        "{} (layer {}) imports {} (layer {}) by `{path}`",
                        show(from),
                        LAYERS[from_layer].0,
                        show(to),
                        LAYERS[to_layer].0
                    ));
                }
            }
        }
    }
    assert!(violations.is_empty(), "{violations:#?}");
}

#[test]
fn no_import_circle_is_longer_than_three_modules() {
    let krate = read_crate(&crate_src("src"));
    let long: Vec<_> = circles(&krate)
        .into_iter()
        .filter(|c| c.len() > MAX_CIRCLE)
        .map(|c| c.iter().map(show).collect::<Vec<_>>())
        .collect();
    assert!(long.is_empty(), "import circles: {long:#?}");
}

#[test]
fn the_app_crate_has_no_import_circle_longer_than_three_modules() {
    let krate = read_app_crate();
    let long: Vec<_> = circles(&krate)
        .into_iter()
        .filter(|c| c.len() > MAX_CIRCLE)
        .map(|c| c.iter().map(show).collect::<Vec<_>>())
        .collect();
    assert!(long.is_empty(), "import circles in app: {long:#?}");
}

#[test]
fn the_apps_server_layers_only_import_downward() {
    let krate = read_app_crate();
    let ssr = |module: &Module| -> Option<String> {
        match module.as_slice() {
            [auth, ssr, top, ..] if auth == "auth" && ssr == "ssr" => Some(top.clone()),
            _ => None,
        }
    };
    let layer = |top: &str| {
        APP_SSR_LAYERS
            .iter()
            .position(|(_, modules)| modules.contains(&top))
            .unwrap_or_else(|| {
                panic!("`auth::ssr::{top}` is in no layer: add it to APP_SSR_LAYERS")
            })
    };
    let mut violations = BTreeSet::new();
    for (from, targets) in &krate.edges {
        let Some(from_top) = ssr(from) else {
            continue;
        };
        let from_layer = layer(&from_top);
        for (to, path) in targets {
            let wrong = match ssr(to) {
                Some(to_top) => {
                    let to_layer = layer(&to_top);
                    (to_layer > from_layer).then(|| APP_SSR_LAYERS[to_layer].0.to_owned())
                }
                // The module that declares the layers, or anything outside them.
                None if to.as_slice() == ["auth", "ssr"] => Some("the re-exports".to_owned()),
                None => match to.as_slice() {
                    [auth, shared, ..]
                        if auth == "auth" && APP_SSR_SHARED.contains(&shared.as_str()) =>
                    {
                        None
                    }
                    _ => Some("the UI".to_owned()),
                },
            };
            if let Some(wrong) = wrong {
                violations.insert(format!(
                    "{} (layer {}) imports {} ({wrong}) by `{path}`",
                    show(from),
                    APP_SSR_LAYERS[from_layer].0,
                    show(to),
                ));
            }
        }
    }
    assert!(violations.is_empty(), "{violations:#?}");
}

#[test]
fn the_reader_sees_what_rust_sees() {
    let source = without_tests(&strip_comments(
        "use super::{a::{self, B}, c as d};\n// use crate::nope;\nlet s = \"crate::nope\";\n\
         fn f() { crate::x::y(); }\n#[cfg(test)]\nmod tests { use crate::hidden; }\nuse e::*;",
    ));
    let paths = paths_in(&source);
    assert!(paths.contains(&"super::a::self".to_owned()), "{paths:?}");
    assert!(paths.contains(&"super::a::B".to_owned()), "{paths:?}");
    assert!(paths.contains(&"super::c".to_owned()), "{paths:?}");
    assert!(paths.contains(&"crate::x::y".to_owned()), "{paths:?}");
    assert!(paths.contains(&"e".to_owned()), "{paths:?}");
    // The head of a use tree is not a path of its own (`super` would name the parent).
    assert!(!paths.iter().any(|p| p == "super"), "{paths:?}");
    assert!(
        !paths
            .iter()
            .any(|p| p.contains("nope") || p.contains("hidden")),
        "{paths:?}"
    );
}
