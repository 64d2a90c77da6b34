//! PNG plots: the same SVG capplan draws, rasterized by resvg with the system's fonts
//! (sans-serif is DejaVu Sans where it is installed, so the same machine gives the same
//! bytes every run). Behind the default cargo feature `png`: a build without it (the
//! GitHub Action's) refuses PNG and draws SVG.

#[cfg(feature = "png")]
use anyhow::Context;
use anyhow::anyhow;

/// A build without the `png` feature: PNG is refused with what to do instead.
#[cfg(not(feature = "png"))]
pub fn png(_svg: &str) -> anyhow::Result<Vec<u8>> {
    Err(anyhow!(
        "this capplan was built without PNG plots (cargo feature `png`); name the plot FILE.svg, or install with the default features"
    ))
}

/// The SVG as a PNG of the same size in pixels.
#[cfg(feature = "png")]
pub fn png(svg: &str) -> anyhow::Result<Vec<u8>> {
    let mut options = resvg::usvg::Options::default();
    let fonts = options.fontdb_mut();
    fonts.load_system_fonts();
    if fonts.is_empty() {
        return Err(anyhow!(
            "no fonts found on this system for the plot's text; install one (Debian: fonts-dejavu-core) or draw SVG"
        ));
    }
    fonts.set_sans_serif_family("DejaVu Sans");
    let tree = resvg::usvg::Tree::from_str(svg, &options).context("cannot read the drawn SVG")?;
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| anyhow!("cannot make a {}x{} image", size.width(), size.height()))?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().context("cannot encode the PNG")
}
