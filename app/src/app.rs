//! The root component, the routes, and the HTML shell the server renders them into.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

use crate::{
    auth::{
        pages::{ErrorPage, SignInPage, SignOutPage, VerifyRequestPage},
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
                // Read by the browser before it hydrates (`auth::url`).
                <meta name=BASE_PATH_META content=base_path()/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The app: session provider, navigation and routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Marks the document once the wasm has hydrated it (end-to-end tests wait for this).
    Effect::new(|_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });
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
                    </Routes>
                </main>
            </SessionProvider>
        </Router>
    }
}
