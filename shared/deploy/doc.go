// Package deploy holds no code: its tests guard the deployment description (template.yaml, samconfig.toml)
// against changes that would lose events, loop, widen permissions or leak secrets.
package deploy
