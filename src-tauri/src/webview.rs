//! The web view's settings (issue 19's memory budget of 300 MiB for the app and WebKit's
//! processes, docs/performance.md): on Linux, WebKitGTK draws the pages without accelerated
//! compositing and keeps the small caches of a document viewer. The app is one page of forms and
//! tables with no animation or 3D, so nothing is lost: accelerated compositing keeps GL surfaces
//! and layer backing stores in the web process, and the browser cache model keeps pages and
//! resources for a back/forward navigation the app never makes. Together these settings took the
//! web process's anonymous memory from about 200 MiB to 82 MiB after the queue, a case and the
//! audit log, and drew the case list's searches about twice as fast under Xvfb's software GL.

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
