"""Second-chance agreements (*woonkansovereenkomsten*): proposals, signatures, reviews, their
canonical text and the yearly figures Bureau Woonkans monitors."""
