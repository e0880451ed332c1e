export const styleName = (): string => 'typescript object literal'
