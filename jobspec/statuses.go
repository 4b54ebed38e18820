package jobspec

import (
	"gopkg.in/yaml.v3"
)

func (d *specDecoder) statuses(path string, n *yaml.Node) map[string]map[string]map[string]string {
	out := map[string]map[string]map[string]string{}
	plats, ok := d.pairs(path, n)
	if !ok {
		return out
	}
	for _, pl := range plats {
		pp := specJoin(path, pl.key.Value)
		if !d.knownPlatform(pp, pl.key, pl.key.Value) {
			continue
		}
		if specIsNull(pl.val) {
			continue
		}
		tables, ok := d.pairs(pp, pl.val)
		if !ok {
			continue
		}
		out[pl.key.Value] = map[string]map[string]string{}
		for _, tb := range tables {
			tp := specJoin(pp, tb.key.Value)
			if specIsNull(tb.val) {
				continue
			}
			entries, ok := d.pairs(tp, tb.val)
			if !ok {
				continue
			}
			m := map[string]string{}
			for _, e := range entries {
				ep := specJoin(tp, e.key.Value)
				if s, ok := d.str(ep, e.val); ok {
					if err := d.checkOverride(pl.key.Value, tb.key.Value, e.key.Value, s); err != nil {
						d.add(e.val, ep, "%v", err)
						continue
					}
					m[e.key.Value] = s
				}
			}
			out[pl.key.Value][tb.key.Value] = m
		}
	}
	return out
}

// checkOverride checks one entry of transform.statuses against the
// platform's tables; with no platforms to ask, nothing is checked.
func (d *specDecoder) checkOverride(platform, table, code, value string) error {
	if d.platforms == nil {
		return nil
	}
	return d.platforms.Mapping(platform).CheckOverride(platform, table, code, value)
}
