//! The root component, the routes, and the HTML shell the server renders them into.
//!
//! Every page renders on the server (Leptos islands mode): only the `#[island]` components in
//! it ship code to the browser. `<PageScripts>` loads the page script (`public/enhance.js`:
//! navigation without full page loads, the live session, and the wasm for pages that have
//! islands).

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

use crate::{
    auth::{
        pages::{ErrorPage, SignInPage, SignOutPage, TwoFactorPage, VerifyRequestPage},
        url::{base_path, AuthPage, BASE_PATH_META},
        SessionProvider,
    },
    pages::{
        AccountPage, AdminPage, ClientApiPage, HomePage, LoginPage, Nav, NotFound, ProtectedPage,
        RegisterPage,
    },
};

/// The HTML document the server renders every page into.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                // Read by the page script and the islands (`auth::url`).
                <meta name=BASE_PATH_META content=base_path()/>
                <AutoReload options=options.clone()/>
                <PageScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The page script, told where the islands' wasm is. It fetches the wasm only on pages that
/// have islands. (Leptos's `<HydrationScripts islands=true>` would fetch it on every page.)
#[component]
pub fn PageScripts(options: LeptosOptions) -> impl IntoView {
    // Islands mode: the page as a whole is not hydrated; each island switches hydration on for
    // itself while it renders (what `<HydrationScripts islands=true>` sets up too).
    if let Some(shared) = Owner::current_shared_context() {
        shared.set_is_hydrating(false);
    }
    let (js, wasm) = bundle_urls(&options);
    view! {
        <script type="module" src="/enhance.js" data-enhance="" data-js=js data-wasm=wasm></script>
    }
}

/// The URLs of the wasm-bindgen JS and of the wasm, named as cargo-leptos names them (with the
/// content hashes of its hash file when `hash-files` is on), the way Leptos's own hydration
/// scripts find them.
fn bundle_urls(options: &LeptosOptions) -> (String, String) {
    let mut js = options.output_name.to_string();
    let mut wasm = js.clone();
    if options.hash_files {
        let hashes = std::env::current_exe()
            .ok()
            .and_then(|exe| Some(exe.parent()?.join(options.hash_file.as_ref())))
            .and_then(|path| std::fs::read_to_string(path).ok())
            .unwrap_or_default();
        for (file, hash) in hashes
            .lines()
            .filter_map(|line| line.trim().split_once(':'))
        {
            match file {
                "js" => js = format!("{js}.{}", hash.trim()),
                "wasm" => wasm = format!("{wasm}.{}", hash.trim()),
                _ => {}
            }
        }
    } else if option_env!("LEPTOS_OUTPUT_NAME").is_none() {
        wasm.push_str("_bg");
    }
    let pkg = &options.site_pkg_dir;
    (format!("/{pkg}/{js}.js"), format!("/{pkg}/{wasm}.wasm"))
}

/// The app: session provider, navigation and routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/leptos-auth.css"/>
        <Title formatter=|title: String| format!("{title} · Leptos Auth")/>
        <Router>
            <SessionProvider>
                <Nav/>
                <main>
                    <Routes fallback=NotFound>
                        <Route path=path!("/") view=HomePage/>
                        <Route path=path!("/protected") view=ProtectedPage/>
                        <Route path=path!("/register") view=RegisterPage/>
                        <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async/>
                        <Route path=path!("/admin") view=AdminPage/>
                        <Route path=path!("/client-api") view=ClientApiPage/>
                        // A custom sign-in page (set AUTH_PAGES_SIGN_IN=/login to use it).
                        <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                        // Auth.js's built-in pages, under the base path (`/api/auth` unless configured).
                        <Route path=AuthPage("signin") view=SignInPage ssr=SsrMode::Async/>
                        <Route path=AuthPage("signout") view=SignOutPage/>
                        <Route path=AuthPage("error") view=ErrorPage/>
                        <Route path=AuthPage("verify-request") view=VerifyRequestPage/>
                        <Route path=AuthPage("two-factor") view=TwoFactorPage/>
                    </Routes>
                </main>
            </SessionProvider>
        </Router>
    }
}
