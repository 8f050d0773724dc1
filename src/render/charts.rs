//! Charts: border profiles, the comparison, time series (being written).
