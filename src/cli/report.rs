//! `borderwatch report [OUTPUT_DIR]`: rebuilds `report.html` from the files a run wrote into
//! an output folder. A front over [`report::write`](crate::report::write).

use super::{Cli, EXIT_OK, print};
use anyhow::Result;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The output folder of a `borderwatch run`.
    #[arg(default_value = "output")]
    pub dir: PathBuf,
}

pub fn run(cli: &Cli, args: &Args) -> Result<i32> {
    let path = crate::report::write(&args.dir)?;
    if !cli.quiet {
        print(&format!("wrote {}\n", path.display()))?;
    }
    Ok(EXIT_OK)
}
