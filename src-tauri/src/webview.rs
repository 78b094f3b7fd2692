//! The web view's settings (issue 19's memory budget of 300 MiB for the app and WebKit's
//! processes, docs/performance.md): on Linux, WebKitGTK draws the pages without accelerated
//! compositing, keeps the small caches of a document viewer and no page cache. The app is one
//! page of forms and tables with no animation or 3D, so nothing is lost: accelerated compositing
//! keeps GL surfaces and layer backing stores in the web process (under a software GL, as on
//! these machines, about 150 MiB more of it after browsing, and a slower first paint), and the
//! browser cache model keeps pages and resources for a back/forward navigation the app, one page,
//! never makes.
//!
//! WebKitWebDriver's screenshot never returns once a window drawn this way has been resized; the
//! end-to-end run therefore takes its pictures from the X server (`tests/e2e/app.mjs`).

/// Applies the settings to the main window's web view.
pub fn tune<R: tauri::Runtime>(window: &tauri::WebviewWindow<R>) -> tauri::Result<()> {
    window.with_webview(|webview| {
        #[cfg(target_os = "linux")]
        {
            use webkit2gtk::{CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt};
            let view = webview.inner();
            if let Some(settings) = WebViewExt::settings(&view) {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
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
