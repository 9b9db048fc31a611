"""Programs that talk to a ballot server over HTTP as its users do: the command-line voter
(`ballot vote`) and a scrutineer's side of the key ceremony (`ballot ceremony`)."""
