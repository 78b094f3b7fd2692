//! Packs the desktop app out of Countersign's .deb into an AppImage, for `make package`.
//!
//!     countersign-appimage DEB_ROOT WORK_DIR OUT
//!
//! DEB_ROOT is the .deb unpacked (`dpkg-deb -x`), so the AppImage holds exactly the app binary,
//! desktop entry and icons that the .deb installs (not the `countersign` CLI: an AppImage has one
//! entry point). The `appimage` crate supplies the AppImage runtime and appends the squashfs image
//! that `mksquashfs` makes of WORK_DIR/<icon>.AppDir. Like the .deb, the AppImage uses the
//! system's WebKitGTK 4.1 and GTK 3 rather than carrying its own copies.

use anyhow::{bail, ensure, Context, Result};
use appimage::AppImage;
use std::path::{Path, PathBuf};

fn main() -> Result<()> {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [deb_root, work_dir, out] = args.as_slice() else {
        bail!("usage: countersign-appimage DEB_ROOT WORK_DIR OUT");
    };
    let usr = deb_root.join("usr");
    let desktop = desktop_file(&usr.join("share/applications"))?;
    let entry = std::fs::read_to_string(&desktop)
        .with_context(|| format!("reading {}", desktop.display()))?;
    let exec = desktop_key(&entry, "Exec")?
        .split_whitespace()
        .next()
        .context("the desktop entry's Exec is empty")?
        .to_owned();
    let icon = desktop_key(&entry, "Icon")?.to_owned();
    let binary = usr.join("bin").join(&exec);
    ensure!(binary.is_file(), "the .deb has no {}", binary.display());
    let icon_file = largest_icon(&usr.join("share/icons/hicolor"), &icon)?;

    std::fs::create_dir_all(work_dir)?;
    // The AppImage's name is the icon's: the runtime's desktop integration looks for <Icon>.png
    // beside <Icon>.desktop at the top of the image.
    let image = AppImage::new(work_dir, icon.clone())?;
    let bin_in_image = Path::new("usr/bin").join(&exec);
    image.add_file(&binary, &bin_in_image)?;
    image.add_directory(
        &usr.join("share/applications"),
        Path::new("usr/share/applications"),
    )?;
    image.add_directory(&usr.join("share/icons"), Path::new("usr/share/icons"))?;
    image.add_file(&desktop, Path::new(&format!("{icon}.desktop")))?;
    image.add_icon(&icon_file)?;
    std::os::unix::fs::symlink(&bin_in_image, image.appdir().join("AppRun"))
        .context("linking AppRun to the app binary")?;
    image.build(out, None)?;
    println!("Wrote {}", out.display());
    Ok(())
}

/// The one desktop entry the .deb installs.
fn desktop_file(dir: &Path) -> Result<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "desktop") {
            found.push(path);
        }
    }
    match found.as_slice() {
        [one] => Ok(one.clone()),
        _ => bail!(
            "expected one .desktop file in {}, found {}",
            dir.display(),
            found.len()
        ),
    }
}

/// The value of `key=` in the desktop entry's `[Desktop Entry]` group.
fn desktop_key<'a>(entry: &'a str, key: &str) -> Result<&'a str> {
    entry
        .lines()
        .skip_while(|line| line.trim() != "[Desktop Entry]")
        .take_while(|line| !line.starts_with('[') || line.trim() == "[Desktop Entry]")
        .find_map(|line| line.strip_prefix(key)?.strip_prefix('='))
        .map(str::trim)
        .with_context(|| format!("the desktop entry has no {key}="))
}

/// The widest `<name>.png` under the hicolor theme (read from each PNG's header).
fn largest_icon(hicolor: &Path, name: &str) -> Result<PathBuf> {
    let mut best: Option<(u32, PathBuf)> = None;
    for size in
        std::fs::read_dir(hicolor).with_context(|| format!("reading {}", hicolor.display()))?
    {
        let path = size?.path().join("apps").join(format!("{name}.png"));
        if !path.is_file() {
            continue;
        }
        let width = png_width(&path)?;
        if best.as_ref().is_none_or(|(w, _)| width > *w) {
            best = Some((width, path));
        }
    }
    best.map(|(_, path)| path)
        .with_context(|| format!("no {name}.png under {}", hicolor.display()))
}

/// A PNG's width from its IHDR chunk, which the format puts first.
fn png_width(path: &Path) -> Result<u32> {
    let bytes = std::fs::read(path)?;
    ensure!(
        bytes.len() >= 24 && bytes.starts_with(b"\x89PNG\r\n\x1a\n") && &bytes[12..16] == b"IHDR",
        "{} is not a PNG",
        path.display()
    );
    Ok(u32::from_be_bytes([
        bytes[16], bytes[17], bytes[18], bytes[19],
    ]))
}
