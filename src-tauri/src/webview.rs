//! The web view's settings (issue 19's memory budget of 300 MiB for the app and WebKit's
//! processes, docs/performance.md): on Linux, WebKitGTK keeps the small caches of a document
//! viewer and no page cache: the browser cache model keeps pages and resources for a back/forward
//! navigation the app, one page, never makes. Accelerated compositing stays on: drawing without it
//! took the web process's anonymous memory from about 200 MiB to 82 MiB after browsing, but
//! WebKitWebDriver's window resize then never returns (the end-to-end run's `keyboard.test.mjs`
//! hangs in `setRect`), see docs/performance.md.

/// Applies the settings to the main window's web view.
pub fn tune<R: tauri::Runtime>(window: &tauri::WebviewWindow<R>) -> tauri::Result<()> {
    window.with_webview(|webview| {
        #[cfg(target_os = "linux")]
        {
            use webkit2gtk::{CacheModel, SettingsExt, WebContextExt, WebViewExt};
            let view = webview.inner();
            if let Some(settings) = WebViewExt::settings(&view) {
                settings.set_enable_page_cache(false);
            }
            if let Some(context) = view.context() {
                context.set_cache_model(CacheModel::DocumentViewer);
            }
        }
        #[cfg(not(target_os = "linux"))]
        let _ = webview;
    })
}
